package dev.attest.generator;

import java.util.SplittableRandom;

/** Seeded pseudo-randomness: every stream is derived from (seed, purpose, index), so partitions can run in any order. */
final class Rand {
    private Rand() {}

    /** SplitMix64's finaliser: a good 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static SplittableRandom stream(long seed, long purpose, long index) {
        return new SplittableRandom(mix(mix(seed * 0x9e3779b97f4a7c15L + purpose) + index));
    }

    /** Log-uniform in [a, b): many small values, a long tail of large ones. */
    static double logUniform(SplittableRandom r, double a, double b) {
        return a * Math.exp(r.nextDouble() * Math.log(b / a));
    }
}
