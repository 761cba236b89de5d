package dev.attest.core.policy;

import java.util.List;

/** The outcome of resolving a kind of policy for one event at one knowledge time (contracts section 2). */
public sealed interface Resolution {
    record Resolved(Policy policy, PolicyVersion version) implements Resolution {}

    /** No candidate version: valid time, knowledge time or scope excluded all. */
    record NoneApplies() implements Resolution {}

    /** More than one policy_id remained after customer-over-default: nothing is chosen. */
    record Conflict(List<String> policyIds) implements Resolution {
        public Conflict { policyIds = List.copyOf(policyIds); }
    }

    NoneApplies NONE = new NoneApplies();
}
