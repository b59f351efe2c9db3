package org.convnext4j.data.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The magnitude → argument mapping against numbers worked out from timm's {@code _*_level_to_arg}
 * formulas (Python doubles, so the last digits are timm's own rounding).
 */
class MagnitudeArgumentsTest {

    @Test
    void rotateSpansThirtyDegreesEitherWay() {
        assertEquals(0.0, MagnitudeArguments.rotate(0, false), 0.0);
        assertEquals(13.5, MagnitudeArguments.rotate(4.5, false), 0.0);
        assertEquals(27.0, MagnitudeArguments.rotate(9, false), 0.0);
        assertEquals(-28.5, MagnitudeArguments.rotate(9.5, true), 0.0);
        assertEquals(-30.0, MagnitudeArguments.rotate(10, true), 0.0);
    }

    @Test
    void shearSpansPointThreeEitherWay() {
        assertEquals(0.135, MagnitudeArguments.shear(4.5, false), 0.0);
        assertEquals(-0.27, MagnitudeArguments.shear(9, true), 0.0);
        assertEquals(0.3, MagnitudeArguments.shear(10, false), 0.0);
    }

    @Test
    void translateSpansPointFourFiveOfTheSide() {
        assertEquals(0.2025, MagnitudeArguments.translateFraction(4.5, false), 0.0);
        assertEquals(-0.405, MagnitudeArguments.translateFraction(9, true), 0.0);
        assertEquals(0.45, MagnitudeArguments.translateFraction(10, false), 0.0);
    }

    @Test
    void enhanceRisesFromPointOneToOnePointNine() {
        assertEquals(0.1, MagnitudeArguments.enhance(0), 0.0);
        assertEquals(0.91, MagnitudeArguments.enhance(4.5), 0.0);
        assertEquals(1.7200000000000002, MagnitudeArguments.enhance(9), 0.0);
        assertEquals(1.9000000000000001, MagnitudeArguments.enhance(10), 0.0);
    }

    @Test
    void enhanceIncreasingMovesAwayFromOneAndStaysAbovePointOne() {
        assertEquals(1.0, MagnitudeArguments.enhanceIncreasing(0, true), 0.0);
        assertEquals(1.405, MagnitudeArguments.enhanceIncreasing(4.5, false), 0.0);
        assertEquals(0.595, MagnitudeArguments.enhanceIncreasing(4.5, true), 0.0);
        assertEquals(1.81, MagnitudeArguments.enhanceIncreasing(9, false), 0.0);
        assertEquals(0.18999999999999995, MagnitudeArguments.enhanceIncreasing(9, true), 0.0);
        assertEquals(0.1, MagnitudeArguments.enhanceIncreasing(10, true), 0.0);
        assertEquals(2.08, MagnitudeArguments.enhanceIncreasing(12, false), 0.0);
        assertEquals(0.1, MagnitudeArguments.enhanceIncreasing(12, true), 0.0);
    }

    @Test
    void posterizeKeepsFewerBitsAsMagnitudeGrows() {
        assertEquals(4, MagnitudeArguments.posterizeIncreasingBits(0));
        assertEquals(3, MagnitudeArguments.posterizeIncreasingBits(4.5));
        assertEquals(1, MagnitudeArguments.posterizeIncreasingBits(9));
        assertEquals(1, MagnitudeArguments.posterizeIncreasingBits(9.5));
        assertEquals(0, MagnitudeArguments.posterizeIncreasingBits(10));
        assertEquals(0, MagnitudeArguments.posterizeBits(0));
        assertEquals(3, MagnitudeArguments.posterizeBits(9));
        assertEquals(4, MagnitudeArguments.posterizeBits(10));
    }

    @Test
    void solarizeThresholdFallsAsMagnitudeGrows() {
        assertEquals(256, MagnitudeArguments.solarizeIncreasingThreshold(0));
        assertEquals(141, MagnitudeArguments.solarizeIncreasingThreshold(4.5));
        assertEquals(26, MagnitudeArguments.solarizeIncreasingThreshold(9));
        assertEquals(13, MagnitudeArguments.solarizeIncreasingThreshold(9.5));
        assertEquals(0, MagnitudeArguments.solarizeIncreasingThreshold(10));
        assertEquals(230, MagnitudeArguments.solarizeThreshold(9));
        assertEquals(256, MagnitudeArguments.solarizeThreshold(12));
    }

    @Test
    void solarizeAddRisesToOneHundredTen() {
        assertEquals(0, MagnitudeArguments.solarizeAdd(0));
        assertEquals(49, MagnitudeArguments.solarizeAdd(4.5));
        assertEquals(99, MagnitudeArguments.solarizeAdd(9));
        assertEquals(104, MagnitudeArguments.solarizeAdd(9.5));
        assertEquals(110, MagnitudeArguments.solarizeAdd(10));
        assertEquals(128, MagnitudeArguments.solarizeAdd(12));
    }
}
