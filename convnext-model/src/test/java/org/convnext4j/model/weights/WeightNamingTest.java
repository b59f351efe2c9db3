package org.convnext4j.model.weights;

import static org.convnext4j.model.weights.WeightFixtures.CONFIG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightNamingTest {

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void detectsEachFixture(WeightNaming naming) {
        assertSame(naming, WeightNaming.detect(WeightFixtures.weights(naming).keySet()));
    }

    @ParameterizedTest
    @EnumSource(WeightNaming.class)
    void tableNamesEveryTensorOfTheFixtureOnce(WeightNaming naming) {
        List<String> names = naming.entries(CONFIG).stream().map(WeightNaming.Entry::tensor).toList();
        assertEquals(names.size(), Set.copyOf(names).size(), "no name twice");
        assertEquals(WeightFixtures.weights(naming).keySet(), Set.copyOf(names));
    }

    @Test
    void withoutLayerScaleTheTableHasNoGamma() {
        List<WeightNaming.Entry> entries = WeightNaming.OFFICIAL.entries(CONFIG.withLayerScaleInit(0));
        assertEquals(CONFIG.totalBlocks(), WeightNaming.OFFICIAL.entries(CONFIG).size() - entries.size());
        assertTrue(entries.stream().noneMatch(entry -> entry.tensor().endsWith("gamma")));
    }

    @Test
    void entriesFollowEachStateDictOrder() {
        assertEquals(List.of("downsample_layers.0.0.weight", "downsample_layers.0.0.bias",
                "downsample_layers.0.1.weight", "downsample_layers.0.1.bias", "downsample_layers.1.0.weight"),
                firstNames(WeightNaming.OFFICIAL, 5));
        assertEquals(List.of("stem.0.weight", "stem.0.bias", "stem.1.weight", "stem.1.bias",
                "stages.0.blocks.0.gamma", "stages.0.blocks.0.conv_dw.weight"), firstNames(WeightNaming.TIMM, 6));
        assertEquals(List.of("features.0.0.weight", "features.0.0.bias", "features.0.1.weight", "features.0.1.bias",
                "features.1.0.layer_scale", "features.1.0.block.0.weight"), firstNames(WeightNaming.TORCHVISION, 6));
        List<String> official = WeightNaming.OFFICIAL.entries(CONFIG).stream().map(WeightNaming.Entry::tensor).toList();
        assertEquals(official.indexOf("downsample_layers.3.1.bias") + 1, official.indexOf("stages.0.0.gamma"));
        assertEquals(List.of("norm.weight", "norm.bias", "head.weight", "head.bias"),
                official.subList(official.size() - 4, official.size()));
    }

    @Test
    void detectAcceptsWrapperPrefixes() {
        Set<String> names = WeightFixtures.weights(WeightNaming.TIMM).keySet();
        assertSame(WeightNaming.TIMM, WeightNaming.detect(prefixed("module.", names)));
        assertSame(WeightNaming.TIMM, WeightNaming.detect(prefixed("model.", names)));
        assertSame(WeightNaming.TIMM, WeightNaming.detect(prefixed("module.model.", names)));
    }

    @Test
    void unwrapStripsOnlyAPrefixEveryNameShares() {
        Map<String, Integer> wrapped = new LinkedHashMap<>();
        wrapped.put("module.stem.0.weight", 1);
        wrapped.put("module.head.fc.bias", 2);
        assertEquals(Map.of("stem.0.weight", 1, "head.fc.bias", 2), WeightNaming.unwrap(wrapped));

        wrapped.put("step", 3);
        assertSame(wrapped, WeightNaming.unwrap(wrapped));
    }

    @Test
    void unknownNamingNamesSomeOfTheKeys() {
        IncompatibleWeightsException e = assertThrows(IncompatibleWeightsException.class,
                () -> WeightNaming.detect(Set.of("conv1.weight", "fc.bias")));
        assertTrue(e.getMessage().contains("conv1.weight") && e.getMessage().contains("stem.0.weight"), e.getMessage());
    }

    private static List<String> firstNames(WeightNaming naming, int count) {
        return naming.entries(CONFIG).stream().limit(count).map(WeightNaming.Entry::tensor).toList();
    }

    private static Set<String> prefixed(String prefix, Set<String> names) {
        return names.stream().map(name -> prefix + name).collect(Collectors.toSet());
    }
}
