package org.convnext4j.data;

/**
 * The samples one rank visits in one epoch, in order.
 *
 * <p>The epoch order is the folder's order, or with {@code shuffle} a permutation drawn from a
 * generator seeded by (seed, epoch); it is the same on every rank. Rank r takes the positions r,
 * r + worldSize, r + 2·worldSize, ... of it, so shards are disjoint and together cover the epoch.
 * With {@code dropLast} the epoch is first cut to a multiple of worldSize (at most worldSize - 1
 * samples, different ones each shuffled epoch) so that all shards have the same length.
 */
final class EpochOrder {

    private EpochOrder() {
    }

    /** Sample indices into the folder, in the order this rank visits them. */
    static int[] shard(int folderSize, LoaderConfig config, int epoch) {
        int[] order = config.shuffle()
                ? Seeds.permutation(folderSize, Seeds.generator(config.seed(), epoch))
                : identity(folderSize);
        int world = config.worldSize();
        int used = config.dropLast() ? folderSize - folderSize % world : folderSize;
        int[] shard = new int[(used - config.rank() + world - 1) / world];
        for (int i = 0; i < shard.length; i++) {
            shard[i] = order[config.rank() + i * world];
        }
        return shard;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
