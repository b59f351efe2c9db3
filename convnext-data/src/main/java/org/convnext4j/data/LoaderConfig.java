package org.convnext4j.data;

/**
 * How {@link ImageFolderIterator} batches one split.
 *
 * @param batchSize samples per batch
 * @param workers threads that decode and transform
 * @param prefetchBatches batches decoded ahead of the consumer; with the batch size this bounds the
 *     memory the pipeline holds, whatever the folder's size
 * @param shuffle a seeded shuffle of each epoch (training) rather than the folder's order (evaluation)
 * @param dropLast drop each epoch's last partial batch; it also trims the epoch to a multiple of
 *     {@code worldSize} so that every rank gets as many batches
 * @param replaceUnreadable put the next readable image in an unreadable one's place, keeping every
 *     batch whole (training); otherwise leave it out of its batch (evaluation: nothing counted twice)
 * @param seed source of the epoch orders and of every sample's random generator
 * @param rank this process's shard, in [0, worldSize)
 * @param worldSize number of shards the epoch is split into
 */
public record LoaderConfig(int batchSize, int workers, int prefetchBatches, boolean shuffle, boolean dropLast,
        boolean replaceUnreadable, long seed, int rank, int worldSize) {

    public LoaderConfig {
        if (batchSize < 1 || workers < 1 || prefetchBatches < 1) {
            throw new IllegalArgumentException("batch size, workers and prefetch must be at least 1, got "
                    + batchSize + ", " + workers + ", " + prefetchBatches);
        }
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank must be in [0, worldSize), got rank " + rank
                    + " of " + worldSize);
        }
    }

    /** Shuffled, last partial batch dropped, two batches prefetched per worker (as PyTorch's DataLoader). */
    public static LoaderConfig training(int batchSize, int workers, long seed) {
        return new LoaderConfig(batchSize, workers, 2 * workers, true, true, true, seed, 0, 1);
    }

    /** Folder order, every readable sample once. */
    public static LoaderConfig evaluation(int batchSize, int workers) {
        return new LoaderConfig(batchSize, workers, 2 * workers, false, false, false, 0, 0, 1);
    }

    public LoaderConfig withShard(int rank, int worldSize) {
        return new LoaderConfig(batchSize, workers, prefetchBatches, shuffle, dropLast, replaceUnreadable, seed, rank, worldSize);
    }
}
