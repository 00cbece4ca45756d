"""Batik-like pictures for demo products, drawn with Pillow alone (nothing is downloaded).

Five classic motifs: parang (diagonal bands of blades), kawung (four palm-fruit ovals),
truntum (scattered star flowers), mega mendung (Cirebon's layered clouds) and jumputan (tie-dye
dots). Colours follow the traditional palettes: sogan browns on cream, indigo, the reds and
blues of the north coast. A light fabric grain and the fine cracks that wax leaves in the dye
(remukan) are laid over every picture. The same seed and motif always give the same picture.
"""
from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]

# ground, dark line, main, light
PALETTES: dict[str, tuple[Color, Color, Color, Color]] = {
    "sogan": ((122, 78, 44), (46, 27, 15), (186, 132, 78), (236, 220, 190)),
    "sogan_cream": ((234, 218, 186), (58, 34, 18), (140, 88, 44), (196, 150, 96)),
    "indigo": ((30, 45, 92), (12, 20, 46), (70, 100, 160), (232, 226, 208)),
    "indigo_white": ((236, 232, 220), (20, 32, 70), (52, 80, 140), (150, 170, 205)),
    "pesisir_red": ((150, 30, 36), (60, 12, 16), (226, 150, 60), (244, 228, 200)),
    "cirebon_blue": ((220, 228, 236), (10, 40, 90), (40, 90, 160), (150, 190, 225)),
    "jumputan_magenta": ((150, 24, 84), (80, 10, 44), (232, 150, 40), (250, 236, 220)),
    "jumputan_green": ((22, 96, 70), (8, 46, 34), (226, 190, 60), (242, 238, 214)),
}

MOTIF_PALETTES = {
    "parang": ("sogan", "sogan_cream", "indigo", "pesisir_red"),
    "kawung": ("sogan_cream", "sogan", "indigo_white", "indigo"),
    "truntum": ("indigo", "sogan", "pesisir_red"),
    "mega_mendung": ("cirebon_blue", "pesisir_red", "indigo"),
    "jumputan": ("jumputan_magenta", "jumputan_green", "indigo", "pesisir_red"),
}
MOTIFS = tuple(MOTIF_PALETTES)
KEYWORDS = {
    "parang": "parang", "lereng": "parang", "kawung": "kawung", "truntum": "truntum",
    "mega": "mega_mendung", "mendung": "mega_mendung", "awan": "mega_mendung",
    "jumput": "jumputan", "pelangi": "jumputan", "tritik": "jumputan", "sasirangan": "jumputan",
}
# Drawing at 2x and reducing smooths edges (Pillow draws without antialiasing) but takes four
# times as long (0.4 s instead of 0.1 s a picture); the fabric grain hides most jaggies anyway.
SUPERSAMPLE = 1
DESIGN_WIDTH = 2400  # the sizes in the drawers below are for a canvas this wide; others scale


def motif_for(motif: str, seed: int) -> str:
    """The drawable motif named in MOTIF ("Parang Rusak" -> parang), else one chosen by SEED."""
    name = (motif or "").lower().replace("-", " ").replace("_", " ")
    for word, drawn in KEYWORDS.items():
        if word in name:
            return drawn
    return MOTIFS[seed % len(MOTIFS)]


def draw_batik(seed: int, motif: str, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG picture of a batik cloth with MOTIF (or a motif chosen by SEED)."""
    rng = random.Random(seed)
    kind = motif_for(motif, seed)
    palette = PALETTES[rng.choice(MOTIF_PALETTES[kind])]
    width, height = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    image = DRAWERS[kind](rng, palette, width, height)
    image = _wax_cracks(rng, image, palette[1], width / DESIGN_WIDTH)
    image = image.resize(size, Image.Resampling.LANCZOS)
    image = _fabric_grain(rng, image)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=86, optimize=True)
    return out.getvalue()


# --- helpers --------------------------------------------------------------------------------

def _rotated(pattern: Image.Image, angle: float, width: int, height: int) -> Image.Image:
    """The middle WIDTH x HEIGHT of PATTERN turned by ANGLE degrees (one affine resampling of
    just the pixels needed; PATTERN must be at least the picture's diagonal on each side)."""
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = pattern.width / 2, pattern.height / 2
    ox, oy = width / 2, height / 2
    matrix = (cos, sin, cx - cos * ox - sin * oy, -sin, cos, cy + sin * ox - cos * oy)
    return pattern.transform((width, height), Image.Transform.AFFINE, matrix,
                             resample=Image.Resampling.BILINEAR)


def _diagonal_canvas(width: int, height: int, ground: Color) -> Image.Image:
    side = int(math.hypot(width, height)) + 8
    return Image.new("RGB", (side, side), ground)


def _dot_ring(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float, dots: int,
              dot: float, color: Color) -> None:
    for i in range(dots):
        a = 2 * math.pi * i / dots
        x, y = cx + radius * math.cos(a), cy + radius * math.sin(a)
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=color)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, outer: float, inner: float,
          points: int, turn: float, color: Color) -> None:
    vertices = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = turn + math.pi * i / points
        vertices.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(vertices, fill=color)


# --- motifs ---------------------------------------------------------------------------------

def _parang(rng: random.Random, palette, width: int, height: int) -> Image.Image:
    ground, dark, main, light = palette
    canvas = _diagonal_canvas(width, height, ground)
    draw = ImageDraw.Draw(canvas)
    u = width / DESIGN_WIDTH
    band = max(12, round(rng.randint(150, 210) * u))
    edge = max(2, band // 7)
    for top in range(0, canvas.height, band):
        # the separator (mlinjon line): a light stripe with small diamonds
        draw.rectangle((0, top, canvas.width, top + edge), fill=dark)
        for x in range(0, canvas.width, edge * 3):
            cy = top + edge / 2
            draw.polygon([(x, cy - edge * 0.4), (x + edge * 0.6, cy), (x, cy + edge * 0.4),
                          (x - edge * 0.6, cy)], fill=light)
        # the blades (lidah api): S-curves, each a pair of arcs, with an outline
        inner_top, inner_bottom = top + edge, top + band
        mid = (inner_top + inner_bottom) / 2
        step = int(band * 0.9)
        thick = max(2, band // 9)
        rim = thick + max(2, round(6 * u))
        for x in range(-step, canvas.width + step, step):
            half = (inner_bottom - inner_top) / 2
            upper = (x, inner_top + 4, x + step, mid + half * 0.6)
            lower = (x + step * 0.5, mid - half * 0.6, x + step * 1.5, inner_bottom - 4)
            draw.arc(upper, 180, 360, fill=dark, width=rim)
            draw.arc(upper, 180, 360, fill=main, width=thick)
            draw.arc(lower, 0, 180, fill=dark, width=rim)
            draw.arc(lower, 0, 180, fill=main, width=thick)
            dot = thick * 0.6
            draw.ellipse((x + step * 0.5 - dot, mid - dot, x + step * 0.5 + dot, mid + dot), fill=light)
    return _rotated(canvas, 45, width, height)


def _kawung(rng: random.Random, palette, width: int, height: int) -> Image.Image:
    ground, dark, main, light = palette
    canvas = _diagonal_canvas(width, height, ground)
    draw = ImageDraw.Draw(canvas)
    u = width / DESIGN_WIDTH
    cell = max(16, round(rng.randint(200, 260) * u))
    line, fine = max(1, round(7 * u)), max(1, round(4 * u))
    long, short = cell * 0.46, cell * 0.26
    for cy in range(0, canvas.height + cell, cell):
        for cx in range(0, canvas.width + cell, cell):
            petals = (
                (cx - long, cy - short / 2, cx, cy + short / 2),        # left
                (cx, cy - short / 2, cx + long, cy + short / 2),        # right
                (cx - short / 2, cy - long, cx + short / 2, cy),        # top
                (cx - short / 2, cy, cx + short / 2, cy + long),        # bottom
            )
            for x0, y0, x1, y1 in petals:
                draw.ellipse((x0, y0, x1, y1), fill=main, outline=dark, width=line)
                inset = min(x1 - x0, y1 - y0) * 0.22
                draw.ellipse((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=light, width=fine)
                mx, my, d = (x0 + x1) / 2, (y0 + y1) / 2, inset * 0.45
                draw.ellipse((mx - d, my - d, mx + d, my + d), fill=dark)
            # the centre cross between four fruits, and small dots (cecek) around it
            hx, hy = cx + cell / 2, cy + cell / 2
            _star(draw, hx, hy, cell * 0.12, cell * 0.04, 4, 0, dark)
            _dot_ring(draw, hx, hy, cell * 0.2, 8, cell * 0.017, light)
    return _rotated(canvas, 45, width, height)


def _truntum(rng: random.Random, palette, width: int, height: int) -> Image.Image:
    ground, dark, main, light = palette
    image = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(image)
    cell = max(12, round(rng.randint(120, 160) * width / DESIGN_WIDTH))
    jitter = cell * 0.06
    for row, cy in enumerate(range(0, height + cell, cell)):
        shift = cell / 2 if row % 2 else 0
        for cx in range(0, width + cell, cell):
            x, y = cx + shift + rng.uniform(-jitter, jitter), cy + rng.uniform(-jitter, jitter)
            r = cell * rng.uniform(0.26, 0.32)
            turn = rng.uniform(0, math.pi)
            _star(draw, x, y, r * 1.1, r * 0.45, 8, turn, dark)
            _star(draw, x, y, r, r * 0.38, 8, turn, light)
            draw.ellipse((x - r * 0.22, y - r * 0.22, x + r * 0.22, y + r * 0.22), fill=main)
            _dot_ring(draw, x, y, r * 1.35, 12, cell * 0.022, light)
            # small blossoms between the stars
            sx, sy = x + cell / 2, y + cell / 2
            _dot_ring(draw, sx, sy, cell * 0.065, 5, cell * 0.036, main)
    return image


def _cloud_bands(rng: random.Random, scale: float, levels: int) -> list[Image.Image]:
    """A Cirebon cloud: a wide outline of lobes, and bands that follow it inward.

    Returns one mask per band, the outermost first; each band is the outline shrunk a little
    more (a blurred shape that stays nearly white is the shape eroded by about the blur radius).
    """
    lobes = [(-1.75, 0.25, 0.42), (-1.0, -0.3, 0.55), (0.0, -0.6, 0.68), (1.0, -0.3, 0.55),
             (1.75, 0.25, 0.42), (-0.75, 0.4, 0.45), (0.75, 0.4, 0.45), (0.0, 0.2, 0.5)]
    box = (int(scale * 5), int(scale * 3))
    shape = Image.new("L", box, 0)
    draw = ImageDraw.Draw(shape)
    for dx, dy, r in lobes:
        x = box[0] / 2 + (dx + rng.uniform(-0.1, 0.1)) * scale
        y = box[1] / 2 + (dy + rng.uniform(-0.08, 0.08)) * scale
        rx, ry = r * scale * 1.1, r * scale * 0.9
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=255)
    band = scale * 0.075
    masks = [shape]
    for i in range(1, levels):
        eroded = shape.filter(ImageFilter.GaussianBlur(band * i)).point(lambda v: 255 if v > 235 else 0)
        masks.append(eroded)
    return masks


def _blend(a: Color, b: Color, t: float) -> Color:
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))


def _mega_mendung(rng: random.Random, palette, width: int, height: int) -> Image.Image:
    ground, dark, main, light = palette
    image = Image.new("RGB", (width, height), ground)
    layers = 7
    colors = [_blend(dark, light, i / (layers - 1)) for i in range(layers)]
    scale = width / rng.uniform(11, 14)
    spots = []
    for row, cy in enumerate(range(int(-scale), height + int(scale * 2), int(scale * 1.9))):
        for cx in range(int(-scale), width + int(scale * 3), int(scale * 4.2)):
            spots.append((cx + (scale * 2.1 if row % 2 else 0) + rng.uniform(-scale, scale) * 0.3,
                          cy + rng.uniform(-scale, scale) * 0.2))
    clouds = []  # three cloud shapes, each painted once and stamped many times
    for _ in range(3):
        masks = _cloud_bands(rng, scale, layers)
        cloud = Image.new("RGBA", masks[0].size, (0, 0, 0, 0))
        for color, mask in zip(colors, masks):
            cloud.paste(color + (255,), (0, 0), mask)
        clouds.append(cloud)
    for cx, cy in spots:
        cloud = rng.choice(clouds)
        image.paste(cloud, (int(cx - cloud.width / 2), int(cy - cloud.height / 2)), cloud)
    return image


def _jumputan(rng: random.Random, palette, width: int, height: int) -> Image.Image:
    ground, dark, main, light = palette
    image = Image.new("RGB", (width, height), ground)
    resists = Image.new("L", (width, height), 0)      # where the tied cloth kept the dye out
    accents = Image.new("L", (width, height), 0)
    draw_resist, draw_accent = ImageDraw.Draw(resists), ImageDraw.Draw(accents)
    cell = max(12, round(rng.randint(110, 150) * width / DESIGN_WIDTH))
    jitter = cell * 0.09
    for row, cy in enumerate(range(0, height + cell, cell)):
        shift = cell / 2 if row % 2 else 0
        for cx in range(0, width + cell, cell):
            x, y = cx + shift + rng.uniform(-jitter, jitter), cy + rng.uniform(-jitter, jitter)
            r = cell * rng.uniform(0.24, 0.32)
            draw_resist.ellipse((x - r, y - r, x + r, y + r), fill=255)
            # the folds of the tied cloth leave rays around each dot
            for i in range(8):
                a = 2 * math.pi * i / 8 + rng.uniform(-0.2, 0.2)
                draw_resist.line((x, y, x + math.cos(a) * r * 1.35, y + math.sin(a) * r * 1.35),
                                 fill=200, width=max(1, int(r / 7)))
            draw_accent.ellipse((x - r * 0.3, y - r * 0.3, x + r * 0.3, y + r * 0.3), fill=255)
    # dye seeps under the ties: soft edges
    resists = resists.filter(ImageFilter.GaussianBlur(cell / 14))
    accents = accents.filter(ImageFilter.GaussianBlur(cell / 20))
    image = Image.composite(Image.new("RGB", image.size, light), image, resists)
    image = Image.composite(Image.new("RGB", image.size, main), image, accents)
    return image


DRAWERS = {"parang": _parang, "kawung": _kawung, "truntum": _truntum,
           "mega_mendung": _mega_mendung, "jumputan": _jumputan}


# --- cloth ----------------------------------------------------------------------------------

def _wax_cracks(rng: random.Random, image: Image.Image, color: Color, u: float) -> Image.Image:
    """Fine dark veins where the dye ran into cracks of the wax (U: the canvas scale)."""
    mask = Image.new("L", image.size, 0)
    draw = ImageDraw.Draw(mask)
    for _ in range(int(image.width * image.height / (90_000 * u * u))):
        x, y = rng.uniform(0, image.width), rng.uniform(0, image.height)
        angle = rng.uniform(0, 2 * math.pi)
        points = [(x, y)]
        for _ in range(rng.randint(3, 9)):
            angle += rng.uniform(-0.7, 0.7)
            length = rng.uniform(10, 45) * u
            x, y = x + math.cos(angle) * length, y + math.sin(angle) * length
            points.append((x, y))
        draw.line(points, fill=rng.randint(50, 110), width=max(1, round(2 * u)))
    return Image.composite(Image.new("RGB", image.size, color), image, mask)


def _fabric_grain(rng: random.Random, image: Image.Image) -> Image.Image:
    """A faint woven texture: horizontal and vertical threads plus noise."""
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    noise = noise.point(lambda v: 128 + (v - 128) // 8)
    threads = Image.new("L", image.size, 128)
    draw = ImageDraw.Draw(threads)
    for x in range(0, image.width, 3):
        draw.line((x, 0, x, image.height), fill=122 + rng.randint(-4, 4))
    for y in range(0, image.height, 3):
        draw.line((0, y, image.width, y), fill=134 + rng.randint(-4, 4))
    texture = ImageChops.add(noise, threads, scale=2.0).convert("RGB")
    return ImageChops.overlay(image, texture)
