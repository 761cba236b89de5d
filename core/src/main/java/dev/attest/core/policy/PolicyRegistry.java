package dev.attest.core.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All loaded policies, validated; resolves which version applies (contracts section 2, "Resolution").
 *
 * <p>Resolution runs several times per event, so policies are indexed by (kind, meter) and then by
 * customer, versions are kept highest first, and every possible {@link Resolution.Resolved} is built once
 * at load time: the hot path does two map lookups, a few instant comparisons and allocates nothing
 * (except for a conflict, which is a finding anyway).
 */
public final class PolicyRegistry {
    private final List<Policy> policies;
    private final Map<String, Entry> byId;
    private final Map<PolicyKind, Map<String, Bucket>> index = new EnumMap<>(PolicyKind.class);
    private final int versionCount;
    private String digest;

    public PolicyRegistry(List<Policy> policies) {
        if (policies == null) throw new IllegalArgumentException("policies are required");
        List<Policy> sorted = new ArrayList<>(policies);
        sorted.sort(Comparator.comparing(Policy::policyId));
        this.policies = List.copyOf(sorted);
        this.byId = new HashMap<>();
        int versions = 0;
        for (Policy p : this.policies) {
            Entry previous = byId.get(p.policyId());
            if (previous != null)
                throw new IllegalArgumentException("duplicate policy_id " + p.policyId() + " (in " + sourceOf(previous.policy)
                        + " and " + sourceOf(p) + ")");
            Entry e = new Entry(p);
            byId.put(p.policyId(), e);
            versions += p.versions().size();
        }
        this.versionCount = versions;
        // Buckets are filled in policy-id order, so the ids of a conflict come out sorted.
        Map<PolicyKind, Map<String, BucketBuilder>> builders = new EnumMap<>(PolicyKind.class);
        for (Policy p : this.policies)
            builders.computeIfAbsent(p.kind(), k -> new HashMap<>())
                    .computeIfAbsent(p.meter(), m -> new BucketBuilder())
                    .add(byId.get(p.policyId()));
        builders.forEach((kind, meters) -> {
            Map<String, Bucket> built = new HashMap<>();
            meters.forEach((meter, b) -> built.put(meter, b.build()));
            index.put(kind, built);
        });
    }

    private static String sourceOf(Policy p) {
        return p.source() == null ? "an unnamed source" : p.source();
    }

    /** The version of {@code kind} that applies to an event of (customer, meter) at {@code eventTime}, as known at {@code knownAt}. */
    public Resolution resolve(PolicyKind kind, String customerId, String meter, Instant eventTime, Instant knownAt) {
        Bucket b = bucket(kind, meter);
        return b == null ? Resolution.NONE : Resolver.resolve(b.specific(customerId), b.defaults, eventTime, knownAt);
    }

    /**
     * The resolver for one (kind, customer, meter): look it up once per partition and call
     * {@link Resolver#resolve} per event, which skips the index lookups.
     */
    public Resolver resolver(PolicyKind kind, String customerId, String meter) {
        Bucket b = bucket(kind, meter);
        return b == null ? Resolver.EMPTY : new Resolver(b.specific(customerId), b.defaults);
    }

    private Bucket bucket(PolicyKind kind, String meter) {
        Map<String, Bucket> meters = index.get(kind);
        return meters == null ? null : meters.get(meter);
    }

    public Optional<Policy> policy(String policyId) {
        Entry e = byId.get(policyId);
        return e == null ? Optional.empty() : Optional.of(e.policy);
    }

    public Optional<PolicyVersion> find(String policyId, int version) {
        Entry e = byId.get(policyId);
        if (e == null) return Optional.empty();
        for (PolicyVersion v : e.policy.versions()) if (v.version() == version) return Optional.of(v);
        return Optional.empty();
    }

    /** Every policy, sorted by policy id. */
    public List<Policy> policies() {
        return policies;
    }

    public int versionCount() {
        return versionCount;
    }

    /** Versions without a change_ref (a governance gap, contracts section 6), sorted by policy id and version. */
    public List<PolicyVersion> versionsWithoutChangeRef() {
        List<PolicyVersion> gaps = new ArrayList<>();
        for (Policy p : policies) for (PolicyVersion v : p.versions()) if (v.changeRef() == null) gaps.add(v);
        return List.copyOf(gaps);
    }

    /** SHA-256 (hex) of a canonical rendering of every policy and version: the registry digest of the manifest. */
    public synchronized String digest() {
        if (digest == null) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                digest = HexFormat.of().formatHex(sha.digest(Canonical.render(policies).getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }
        return digest;
    }

    private static final Entry[] NO_ENTRIES = new Entry[0];

    /** Resolves one (kind, customer, meter) for any event time and knowledge time. Immutable and thread-safe. */
    public static final class Resolver {
        static final Resolver EMPTY = new Resolver(NO_ENTRIES, NO_ENTRIES);

        private final Entry[] specific;
        private final Entry[] defaults;

        private Resolver(Entry[] specific, Entry[] defaults) {
            this.specific = specific;
            this.defaults = defaults;
        }

        public Resolution resolve(Instant eventTime, Instant knownAt) {
            return resolve(specific, defaults, eventTime, knownAt);
        }

        static Resolution resolve(Entry[] specific, Entry[] defaults, Instant t, Instant k) {
            // Customer-specific policies win over defaults: the defaults only count when no specific one is a candidate.
            Resolution r = pick(specific, t, k);
            if (r == null) r = pick(defaults, t, k);
            return r == null ? Resolution.NONE : r;
        }

        /** The single policy with a candidate, its highest candidate version; a conflict when several; null when none. */
        private static Resolution pick(Entry[] entries, Instant t, Instant k) {
            Resolution found = null;
            for (int i = 0; i < entries.length; i++) {
                Resolution r = entries[i].candidate(t, k);
                if (r == null) continue;
                if (found != null) return conflict(entries, t, k);
                found = r;
            }
            return found;
        }

        private static Resolution conflict(Entry[] entries, Instant t, Instant k) {
            List<String> ids = new ArrayList<>();
            for (Entry e : entries) if (e.candidate(t, k) != null) ids.add(e.policy.policyId());
            return new Resolution.Conflict(ids); // entries are in policy-id order
        }
    }

    /** One policy with its versions highest first and their Resolved results prebuilt. */
    private static final class Entry {
        final Policy policy;
        final PolicyVersion[] versions;
        final Resolution.Resolved[] resolved;

        Entry(Policy policy) {
            this.policy = policy;
            int n = policy.versions().size();
            versions = new PolicyVersion[n];
            resolved = new Resolution.Resolved[n];
            for (int i = 0; i < n; i++) {
                PolicyVersion v = policy.versions().get(n - 1 - i); // Policy keeps them ascending
                versions[i] = v;
                resolved[i] = new Resolution.Resolved(policy, v);
            }
        }

        /** The highest version valid at t and recorded by k, or null. */
        Resolution.Resolved candidate(Instant t, Instant k) {
            for (int i = 0; i < versions.length; i++) {
                PolicyVersion v = versions[i];
                if (v.validAt(t) && v.knownAt(k)) return resolved[i];
            }
            return null;
        }
    }

    /** The policies of one (kind, meter): defaults and customer-specific ones by customer, each in policy-id order. */
    private record Bucket(Entry[] defaults, Map<String, Entry[]> byCustomer) {
        Entry[] specific(String customerId) {
            Entry[] e = customerId == null ? null : byCustomer.get(customerId);
            return e == null ? NO_ENTRIES : e;
        }
    }

    private static final class BucketBuilder {
        final List<Entry> defaults = new ArrayList<>();
        final Map<String, List<Entry>> byCustomer = new HashMap<>();

        void add(Entry e) {
            String c = e.policy.customerId();
            (c == null ? defaults : byCustomer.computeIfAbsent(c, x -> new ArrayList<>())).add(e);
        }

        Bucket build() {
            Map<String, Entry[]> specific = new HashMap<>();
            byCustomer.forEach((c, list) -> specific.put(c, list.toArray(NO_ENTRIES)));
            return new Bucket(defaults.toArray(NO_ENTRIES), specific);
        }
    }
}
