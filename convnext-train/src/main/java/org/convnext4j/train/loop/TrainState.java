package org.convnext4j.train.loop;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a run stands, saved with every checkpoint: the epoch in progress and how many of its batches
 * were consumed (0 at an epoch boundary), optimizer steps so far, and the best results so far (raw
 * and EMA weights). With the recipe's seed this is all the randomness needs: every random draw is
 * derived from (seed, epoch, position).
 */
public record TrainState(int epoch, int batchesDone, long step, double bestTop1, int bestEpoch, double bestEmaTop1,
                         int bestEmaEpoch) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static TrainState start() {
        return new TrainState(0, 0, 0, -1, -1, -1, -1);
    }

    public TrainState advance(int batchesDone, long step) {
        return new TrainState(epoch, batchesDone, step, bestTop1, bestEpoch, bestEmaTop1, bestEmaEpoch);
    }

    public TrainState nextEpoch() {
        return new TrainState(epoch + 1, 0, step, bestTop1, bestEpoch, bestEmaTop1, bestEmaEpoch);
    }

    public TrainState withBest(double top1, double emaTop1) {
        boolean better = top1 > bestTop1;
        boolean betterEma = emaTop1 > bestEmaTop1;
        return new TrainState(epoch, batchesDone, step, better ? top1 : bestTop1, better ? epoch : bestEpoch,
                betterEma ? emaTop1 : bestEmaTop1, betterEma ? epoch : bestEmaEpoch);
    }

    String toJson() throws IOException {
        ObjectNode node = JSON.createObjectNode();
        node.put("epoch", epoch).put("batches_done", batchesDone).put("step", step)
                .put("best_top1", bestTop1).put("best_epoch", bestEpoch)
                .put("best_ema_top1", bestEmaTop1).put("best_ema_epoch", bestEmaEpoch);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    }

    static TrainState fromJson(Path file, String text) throws IOException {
        JsonNode n = JSON.readTree(text);
        String[] keys = {"epoch", "batches_done", "step", "best_top1", "best_epoch", "best_ema_top1", "best_ema_epoch"};
        for (String key : keys) {
            if (n == null || !n.hasNonNull(key) || !n.get(key).isNumber()) {
                throw new IOException(file + ": missing or non-numeric '" + key + "'");
            }
        }
        return new TrainState(n.get("epoch").asInt(), n.get("batches_done").asInt(), n.get("step").asLong(),
                n.get("best_top1").asDouble(), n.get("best_epoch").asInt(), n.get("best_ema_top1").asDouble(),
                n.get("best_ema_epoch").asInt());
    }
}
