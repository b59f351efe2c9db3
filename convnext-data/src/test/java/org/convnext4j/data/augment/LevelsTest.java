package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The magnitude → argument mapping against numbers worked out from timm's {@code _*_level_to_arg}
 * formulas (Python doubles, so the last digits are timm's own rounding).
 */
class LevelsTest {

    @Test
    void rotateSpansThirtyDegreesEitherWay() {
        assertEquals(0.0, Levels.rotate(0, false), 0.0);
        assertEquals(13.5, Levels.rotate(4.5, false), 0.0);
        assertEquals(27.0, Levels.rotate(9, false), 0.0);
        assertEquals(-28.5, Levels.rotate(9.5, true), 0.0);
        assertEquals(-30.0, Levels.rotate(10, true), 0.0);
    }

    @Test
    void shearSpansPointThreeEitherWay() {
        assertEquals(0.135, Levels.shear(4.5, false), 0.0);
        assertEquals(-0.27, Levels.shear(9, true), 0.0);
        assertEquals(0.3, Levels.shear(10, false), 0.0);
    }

    @Test
    void translateSpansPointFourFiveOfTheSide() {
        assertEquals(0.2025, Levels.translateFraction(4.5, false), 0.0);
        assertEquals(-0.405, Levels.translateFraction(9, true), 0.0);
        assertEquals(0.45, Levels.translateFraction(10, false), 0.0);
    }

    @Test
    void enhanceRisesFromPointOneToOnePointNine() {
        assertEquals(0.1, Levels.enhance(0), 0.0);
        assertEquals(0.91, Levels.enhance(4.5), 0.0);
        assertEquals(1.7200000000000002, Levels.enhance(9), 0.0);
        assertEquals(1.9000000000000001, Levels.enhance(10), 0.0);
    }

    @Test
    void enhanceIncreasingMovesAwayFromOneAndStaysAbovePointOne() {
        assertEquals(1.0, Levels.enhanceIncreasing(0, true), 0.0);
        assertEquals(1.405, Levels.enhanceIncreasing(4.5, false), 0.0);
        assertEquals(0.595, Levels.enhanceIncreasing(4.5, true), 0.0);
        assertEquals(1.81, Levels.enhanceIncreasing(9, false), 0.0);
        assertEquals(0.18999999999999995, Levels.enhanceIncreasing(9, true), 0.0);
        assertEquals(0.1, Levels.enhanceIncreasing(10, true), 0.0);
        assertEquals(2.08, Levels.enhanceIncreasing(12, false), 0.0);
        assertEquals(0.1, Levels.enhanceIncreasing(12, true), 0.0);
    }

    @Test
    void posterizeKeepsFewerBitsAsMagnitudeGrows() {
        assertEquals(4, Levels.posterizeIncreasingBits(0));
        assertEquals(3, Levels.posterizeIncreasingBits(4.5));
        assertEquals(1, Levels.posterizeIncreasingBits(9));
        assertEquals(1, Levels.posterizeIncreasingBits(9.5));
        assertEquals(0, Levels.posterizeIncreasingBits(10));
        assertEquals(0, Levels.posterizeBits(0));
        assertEquals(3, Levels.posterizeBits(9));
        assertEquals(4, Levels.posterizeBits(10));
    }

    @Test
    void solarizeThresholdFallsAsMagnitudeGrows() {
        assertEquals(256, Levels.solarizeIncreasingThreshold(0));
        assertEquals(141, Levels.solarizeIncreasingThreshold(4.5));
        assertEquals(26, Levels.solarizeIncreasingThreshold(9));
        assertEquals(13, Levels.solarizeIncreasingThreshold(9.5));
        assertEquals(0, Levels.solarizeIncreasingThreshold(10));
        assertEquals(230, Levels.solarizeThreshold(9));
        assertEquals(256, Levels.solarizeThreshold(12));
    }

    @Test
    void solarizeAddRisesToOneHundredTen() {
        assertEquals(0, Levels.solarizeAdd(0));
        assertEquals(49, Levels.solarizeAdd(4.5));
        assertEquals(99, Levels.solarizeAdd(9));
        assertEquals(104, Levels.solarizeAdd(9.5));
        assertEquals(110, Levels.solarizeAdd(10));
        assertEquals(128, Levels.solarizeAdd(12));
    }
}
