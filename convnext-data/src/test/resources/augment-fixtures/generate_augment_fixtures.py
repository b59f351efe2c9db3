#!/usr/bin/python3
"""Reference outputs of Pillow and torchvision for the Java training augmentations.

Run from anywhere with Debian's Python (Pillow 9.4, torch 1.13, torchvision 0.14):

    /usr/bin/python3 convnext-data/src/test/resources/augment-fixtures/generate_augment_fixtures.py

timm is not needed: each RandAugment operation below is the Pillow call that timm's
auto_augment.py makes for it, with a fixed argument instead of a random one.

It writes, beside itself:
  inputs/        small 8-bit RGB versions of the committed photos (the operations are
                 local or histogram based, so small images test them fully and keep the
                 fixtures small)
  ops/cases.csv  one line per operation case: name, operation, argument, resampling filter
  ops/           Pillow's output for every input and case, as <photo>_<case>.png
  crop/          torchvision's F.resized_crop of the eval decoded photos for fixed boxes
                 (the generator checks that it equals Pillow's crop then bicubic resize)
  jitter/        torchvision's ColorJitter steps with fixed factors and order
Every PNG is 8-bit RGB, so a test can read it without colour management.
"""
import csv
import os

import numpy as np
from PIL import Image, ImageEnhance, ImageOps
from torchvision.transforms import InterpolationMode
from torchvision.transforms import functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, '..', 'photos')
DECODED = os.path.join(HERE, '..', 'eval-fixtures', 'decoded')
# Landscape, portrait and grey, at sizes whose centres fall between pixels and on them.
INPUTS = {'cat-landscape': (64, 48), 'rocket-portrait': (48, 64), 'camera-gray': (57, 43)}
# timm's fill colour for geometric operations: round(255 * ImageNet mean).
FILL = (124, 116, 104)
FILTERS = {'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}

CASES = [
    ('autocontrast', 'autocontrast', 0, ''),
    ('equalize', 'equalize', 0, ''),
    ('invert', 'invert', 0, ''),
    ('posterize0', 'posterize', 0, ''),
    ('posterize1', 'posterize', 1, ''),
    ('posterize3', 'posterize', 3, ''),
    ('posterize4', 'posterize', 4, ''),
    ('solarize0', 'solarize', 0, ''),
    ('solarize128', 'solarize', 128, ''),
    ('solarize200', 'solarize', 200, ''),
    ('solarizeadd30', 'solarizeadd', 30, ''),
    ('solarizeadd110', 'solarizeadd', 110, ''),
    ('color0.1', 'color', 0.1, ''),
    ('color0.63', 'color', 0.63, ''),
    ('color1.9', 'color', 1.9, ''),
    ('contrast0.1', 'contrast', 0.1, ''),
    ('contrast0.63', 'contrast', 0.63, ''),
    ('contrast1.9', 'contrast', 1.9, ''),
    ('brightness0.1', 'brightness', 0.1, ''),
    ('brightness0.63', 'brightness', 0.63, ''),
    ('brightness1.9', 'brightness', 1.9, ''),
    ('sharpness0.1', 'sharpness', 0.1, ''),
    ('sharpness0.63', 'sharpness', 0.63, ''),
    ('sharpness1.9', 'sharpness', 1.9, ''),
    ('rotate17.3-bilinear', 'rotate', 17.3, 'bilinear'),
    ('rotate-29.1-bicubic', 'rotate', -29.1, 'bicubic'),
    ('rotate90-bicubic', 'rotate', 90.0, 'bicubic'),
    ('shearx0.21-bilinear', 'shearx', 0.21, 'bilinear'),
    ('shearx-0.3-bicubic', 'shearx', -0.3, 'bicubic'),
    ('sheary0.13-bicubic', 'sheary', 0.13, 'bicubic'),
    ('sheary-0.27-bilinear', 'sheary', -0.27, 'bilinear'),
    ('translatex0.3-bicubic', 'translatex', 0.3, 'bicubic'),
    ('translatex-0.17-bilinear', 'translatex', -0.17, 'bilinear'),
    ('translatey0.41-bilinear', 'translatey', 0.41, 'bilinear'),
    ('translatey-0.23-bicubic', 'translatey', -0.23, 'bicubic'),
]

CROP_BOXES = [(17, 40, 150, 131), (60, 90, 37, 50), (0, 0, 200, 197)]  # top, left, height, width
CROP_SIZE = 64
# torchvision ColorJitter's fn_idx (0 brightness, 1 contrast, 2 saturation) and factors.
JITTER_ORDER = (1, 0, 2)
JITTER_FACTORS = {0: 0.7, 1: 1.3, 2: 0.45}


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def apply_case(img, op, arg, filter_name):
    """The Pillow calls timm's auto_augment.py makes, with fixed arguments."""
    resample = FILTERS.get(filter_name)
    if op == 'autocontrast':
        return ImageOps.autocontrast(img)
    if op == 'equalize':
        return ImageOps.equalize(img)
    if op == 'invert':
        return ImageOps.invert(img)
    if op == 'posterize':
        return ImageOps.posterize(img, arg)
    if op == 'solarize':
        return ImageOps.solarize(img, arg)
    if op == 'solarizeadd':
        lut = [min(255, i + arg) if i < 128 else i for i in range(256)]
        return img.point(lut * 3)
    if op == 'color':
        return ImageEnhance.Color(img).enhance(arg)
    if op == 'contrast':
        return ImageEnhance.Contrast(img).enhance(arg)
    if op == 'brightness':
        return ImageEnhance.Brightness(img).enhance(arg)
    if op == 'sharpness':
        return ImageEnhance.Sharpness(img).enhance(arg)
    if op == 'rotate':
        return img.rotate(arg, resample=resample, fillcolor=FILL)
    if op == 'shearx':
        return img.transform(img.size, Image.AFFINE, (1, arg, 0, 0, 1, 0), resample=resample, fillcolor=FILL)
    if op == 'sheary':
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, arg, 1, 0), resample=resample, fillcolor=FILL)
    if op == 'translatex':
        pixels = arg * img.size[0]
        return img.transform(img.size, Image.AFFINE, (1, 0, pixels, 0, 1, 0), resample=resample, fillcolor=FILL)
    if op == 'translatey':
        pixels = arg * img.size[1]
        return img.transform(img.size, Image.AFFINE, (1, 0, 0, 0, 1, pixels), resample=resample, fillcolor=FILL)
    raise ValueError(op)


def make_inputs():
    for name, size in INPUTS.items():
        rgb = Image.open(os.path.join(PHOTOS, name + '.jpg')).convert('RGB')
        save_png(rgb.resize(size, Image.BICUBIC), out('inputs', name + '.png'))


def op_references():
    with open(out('ops', 'cases.csv'), 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(['case', 'op', 'arg', 'filter'])
        writer.writerows(CASES)
    for name in INPUTS:
        rgb = Image.open(out('inputs', name + '.png')).convert('RGB')
        for case, op, arg, filter_name in CASES:
            save_png(apply_case(rgb, op, arg, filter_name), out('ops', f'{name}_{case}.png'))


def crop_references():
    for name in INPUTS:
        rgb = Image.open(os.path.join(DECODED, name + '.png')).convert('RGB')
        for top, left, height, width in CROP_BOXES:
            size = [CROP_SIZE, CROP_SIZE]
            resized = F.resized_crop(rgb, top, left, height, width, size, InterpolationMode.BICUBIC)
            by_hand = rgb.crop((left, top, left + width, top + height)).resize((CROP_SIZE, CROP_SIZE), Image.BICUBIC)
            assert np.array_equal(np.asarray(resized), np.asarray(by_hand))
            save_png(resized, out('crop', f'{name}_{top}_{left}_{height}_{width}.png'))


def jitter_references():
    steps = {0: F.adjust_brightness, 1: F.adjust_contrast, 2: F.adjust_saturation}
    for name in INPUTS:
        img = Image.open(out('inputs', name + '.png')).convert('RGB')
        for fn_id in JITTER_ORDER:
            img = steps[fn_id](img, JITTER_FACTORS[fn_id])
        save_png(img, out('jitter', name + '.png'))


def save_png(image, path):
    assert image.mode == 'RGB'
    image.save(path, optimize=True)


if __name__ == '__main__':
    make_inputs()
    op_references()
    crop_references()
    jitter_references()
