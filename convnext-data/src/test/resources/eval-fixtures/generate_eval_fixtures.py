#!/usr/bin/python3
"""Reference outputs of PIL and torchvision for the Java decoder, resampler and eval transform.

Run from anywhere with Debian's Python (Pillow 9.4, torch 1.13, torchvision 0.14):

    /usr/bin/python3 convnext-data/src/test/resources/eval-fixtures/generate_eval_fixtures.py

It writes, beside itself:
  inputs/        small PNGs in the modes ImageIO hands back differently (alpha, palette,
                 grey with alpha, 16-bit grey), and small four-channel JPEGs (Adobe CMYK,
                 YCCK, CMYK without an Adobe marker), made from the committed photos
  decoded/       PIL's Image.open(f).convert('RGB') of every input (gray16-high-byte.png is
                 the exception: see make_inputs)
  resize/        PIL's bicubic resize of the PIL-decoded photos to odd sizes
  eval/          torchvision's eval pipeline per photo and (size, crop_pct): the 8-bit image
                 that reaches ToTensor as PNG, and for the smallest size the float32 CHW
                 tensor itself as .npy, so the tests can check that normalising the PNG
                 reproduces torchvision's tensor. Storing every tensor as float32 would
                 cost ~5 MB; the PNG holds the same information losslessly.
Every PNG outside inputs/ is 8-bit RGB, so a test can read it without colour management.
"""
import io
import os

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTOS = os.path.join(HERE, '..', 'photos')
PHOTO_NAMES = ['cat-landscape.jpg', 'rocket-portrait.jpg', 'camera-gray.jpg']
SETTINGS = [(224, 0.875), (64, 0.875), (96, 1.0), (384, 1.0)]
RESIZES = [(97, 61), (313, 171), (157, 251)]
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


def out(*parts):
    path = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def make_inputs():
    cat = Image.open(os.path.join(PHOTOS, 'cat-landscape.jpg')).convert('RGB')
    rocket = Image.open(os.path.join(PHOTOS, 'rocket-portrait.jpg')).convert('RGB')
    camera = Image.open(os.path.join(PHOTOS, 'camera-gray.jpg')).convert('L')

    small_cat = cat.resize((120, 80), Image.BICUBIC)
    alpha = Image.linear_gradient('L').resize((120, 80)).rotate(90)
    rgba = small_cat.copy()
    rgba.putalpha(alpha)
    save_png(rgba, out('inputs', 'rgba.png'))

    palette = rocket.resize((66, 100), Image.BICUBIC).quantize(colors=48)
    # A transparent palette entry must still decode to its palette colour, as convert('RGB') does.
    palette.save(out('inputs', 'palette.png'), transparency=3, optimize=True)

    grey = camera.resize((90, 70), Image.BICUBIC)
    grey_alpha = Image.merge('LA', (grey, alpha.resize((90, 70))))
    save_png(grey_alpha, out('inputs', 'gray-alpha.png'))

    # 16-bit grey whose high byte is the 8-bit image: the Java decoder keeps the high byte.
    # PIL's own convert('RGB') clips mode I to 255 instead, so this file has no PIL reference.
    wide = np.asarray(grey, dtype=np.uint16) * 257
    save_png(Image.fromarray(wide, mode='I;16'), out('inputs', 'gray16.png'))
    save_png(grey.convert('RGB'), out('decoded', 'gray16-high-byte.png'))

    make_cmyk_jpegs(cat.resize((121, 81), Image.BICUBIC))


def make_cmyk_jpegs(rgb):
    """Four-channel JPEGs as Photoshop writes them. Pillow writes CMYK JPEGs only, with an Adobe
    marker of transform 0 and its samples inverted (255 - value), as it reads them. The YCCK
    file holds what libjpeg's YCCK encoder makes of such inverted samples: the YCbCr of
    255 - sample for C, M and Y, which are Pillow's own C, M and Y, and the K sample as it is;
    its marker says transform 2."""
    pixels = np.asarray(rgb, dtype=np.float64)
    # A black channel that carries the dark tones, so that all four channels matter.
    black = 255 - pixels.max(axis=2, keepdims=True)
    cmy = (255 - pixels - black) * 255 / np.maximum(255 - black, 1)
    cmyk = np.dstack([cmy, black]).round().astype(np.uint8)
    cmyk_jpeg = jpeg_bytes(Image.fromarray(cmyk, 'CMYK'), subsampling=0)
    write(out('inputs', 'cmyk.jpg'), cmyk_jpeg)

    # The APP14 segment: FF EE, length 14, 'Adobe', version, flags0, flags1, transform.
    marker = cmyk_jpeg.index(b'\xff\xee\x00\x0eAdobe')
    segment_end = marker + 2 + 14
    assert cmyk_jpeg[segment_end - 1] == 0
    write(out('inputs', 'cmyk-no-adobe.jpg'), cmyk_jpeg[:marker] + cmyk_jpeg[segment_end:])

    c, m, y = (cmyk[..., i].astype(np.float64) for i in range(3))
    ycc = np.dstack([
        0.299 * c + 0.587 * m + 0.114 * y,
        -0.168736 * c - 0.331264 * m + 0.5 * y + 128,
        0.5 * c - 0.418688 * m - 0.081312 * y + 128,
    ]).round().clip(0, 255).astype(np.uint8)
    samples = np.dstack([ycc, 255 - cmyk[..., 3:]])
    # Pillow inverts what it writes, so it is handed the inverse of the samples wanted. 4:2:0
    # subsampling (of K as well) makes the decoders upsample, as they do for Photoshop's files.
    ycck_jpeg = bytearray(jpeg_bytes(Image.fromarray(255 - samples, 'CMYK'), subsampling=2))
    ycck_jpeg[segment_end - 1] = 2
    write(out('inputs', 'ycck.jpg'), bytes(ycck_jpeg))

    # Compression (and the YCCK file's subsampled K) costs a few levels on average; inverted or
    # swapped channels would cost about a hundred.
    for name in ['cmyk.jpg', 'ycck.jpg', 'cmyk-no-adobe.jpg']:
        decoded = np.asarray(Image.open(out('inputs', name)).convert('RGB'), dtype=np.float64)
        assert np.abs(decoded - pixels).mean() < 10, name + ' does not look like its source'


def jpeg_bytes(image, subsampling):
    buffer = io.BytesIO()
    image.save(buffer, 'JPEG', quality=90, subsampling=subsampling)
    return buffer.getvalue()


def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def decode_references():
    for name in PHOTO_NAMES:
        rgb = Image.open(os.path.join(PHOTOS, name)).convert('RGB')
        save_png(rgb, out('decoded', stem(name) + '.png'))
    for name in ['rgba.png', 'palette.png', 'gray-alpha.png']:
        save_png(Image.open(out('inputs', name)).convert('RGB'), out('decoded', name))
    for name in ['cmyk.jpg', 'ycck.jpg', 'cmyk-no-adobe.jpg']:
        image = Image.open(out('inputs', name))
        assert image.mode == 'CMYK'
        save_png(image.convert('RGB'), out('decoded', stem(name) + '.png'))


def resize_references():
    for name in PHOTO_NAMES:
        rgb = Image.open(out('decoded', stem(name) + '.png')).convert('RGB')
        for w, h in RESIZES:
            save_png(rgb.resize((w, h), Image.BICUBIC), out('resize', f'{stem(name)}_{w}x{h}.png'))


def eval_references():
    for name in PHOTO_NAMES:
        rgb = Image.open(out('decoded', stem(name) + '.png')).convert('RGB')
        for size, crop_pct in SETTINGS:
            if size >= 384:
                resize = transforms.Resize((size, size), interpolation=transforms.InterpolationMode.BICUBIC)
            else:
                resize = transforms.Resize(int(size / crop_pct), interpolation=transforms.InterpolationMode.BICUBIC)
            crop = transforms.CenterCrop(size)
            to_tensor = [transforms.ToTensor(), transforms.Normalize(MEAN, STD)]
            pipeline = transforms.Compose([resize, crop] + to_tensor)
            tensor = pipeline(rgb)
            cropped = crop(resize(rgb))
            assert torch.equal(tensor, transforms.Compose(to_tensor)(cropped))
            base = f'{stem(name)}_s{size}_c{crop_pct}'
            save_png(cropped, out('eval', base + '.png'))
            if size == 64:
                assert tensor.dtype == torch.float32 and tensor.shape == (3, size, size)
                np.save(out('eval', base + '.npy'), tensor.numpy())


def save_png(image, path):
    # convert('RGB') of a palette image keeps its transparent colour in info, which would be
    # written as a tRNS chunk; the references are plain RGB.
    image = image.copy()
    image.info.pop('transparency', None)
    image.save(path, optimize=True)


def stem(name):
    return os.path.splitext(name)[0]


if __name__ == '__main__':
    make_inputs()
    decode_references()
    resize_references()
    eval_references()
