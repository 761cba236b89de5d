package dev.attest.core.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InOrderQueueTest {
    private static final Comparator<long[]> BY_TIME_THEN_ID = Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]);

    /**
     * Adds and polls interleaved as pruning does, elements mostly in order with some late ones, and each peek and poll
     * gives what a PriorityQueue with the same order gives.
     */
    @Test
    void givesAPriorityQueuesOrderWhateverTheArrivalOrder() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            InOrderQueue<long[]> queue = new InOrderQueue<>(BY_TIME_THEN_ID);
            PriorityQueue<long[]> reference = new PriorityQueue<>(BY_TIME_THEN_ID);
            long time = 0, id = 0;
            double late = round % 3 == 0 ? 0 : round % 3 == 1 ? 0.05 : 0.5; // in order, a few late, half late
            for (int step = 0; step < 400; step++) {
                if (random.nextInt(3) > 0) {
                    time += random.nextInt(3); // equal times too: then the id decides
                    long[] e = {random.nextDouble() < late ? Math.max(0, time - random.nextInt(50)) : time, id++};
                    queue.add(e);
                    reference.add(e);
                } else {
                    assertThat(queue.peek()).isSameAs(reference.peek());
                    assertThat(queue.poll()).isSameAs(reference.poll());
                }
                assertThat(queue.size()).isEqualTo(reference.size());
                assertThat(queue.isEmpty()).isEqualTo(reference.isEmpty());
            }
            List<long[]> rest = new ArrayList<>(), expected = new ArrayList<>();
            while (!queue.isEmpty()) rest.add(queue.poll());
            while (!reference.isEmpty()) expected.add(reference.poll());
            assertThat(rest).containsExactlyElementsOf(expected);
            assertThat(queue.poll()).isNull();
            assertThat(queue.peek()).isNull();
        }
    }

    @Test
    void aLateElementComesBeforeTheEarlierArrivalsItPrecedes() {
        InOrderQueue<long[]> queue = new InOrderQueue<>(BY_TIME_THEN_ID);
        long[] a = {10, 1}, b = {20, 2}, late = {15, 3}, c = {30, 4};
        queue.add(a);
        queue.add(b);
        queue.add(late);
        queue.add(c);
        assertThat(List.of(queue.poll(), queue.poll(), queue.poll(), queue.poll())).containsExactly(a, late, b, c);
    }
}
