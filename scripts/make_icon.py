"""Draw duban's application icon: resources/icon/duban.png (256 px) and duban.ico (16-256 px).

A red rounded square with a white ledger sheet, three lines and check marks: pure geometry, so it
needs no font and draws the same on any machine.  Run with Pillow installed:

    python scripts/make_icon.py

The generated files are committed; rerun only to change the design.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "resources" / "icon"
SIZE = 256
SCALE = 4  # draw large, then downsample for smooth edges
RED = (192, 32, 38, 255)
WHITE = (255, 255, 255, 255)
GOLD = (250, 204, 21, 255)
LINE = (192, 32, 38, 255)


def draw(size: int = SIZE) -> Image.Image:
    s = size * SCALE
    u = s / 256  # design units: a 256 grid
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((8 * u, 8 * u, 248 * u, 248 * u), radius=44 * u, fill=RED)
    # The sheet, with a folded corner.
    d.rounded_rectangle((58 * u, 40 * u, 198 * u, 216 * u), radius=12 * u, fill=WHITE)
    # Three rows: a check box with a tick, then a line of text.
    for i, y in enumerate((78, 122, 166)):
        box = (76 * u, (y - 12) * u, 100 * u, (y + 12) * u)
        d.rounded_rectangle(box, radius=4 * u, outline=LINE, width=int(5 * u))
        if i < 2:
            d.line([(80 * u, y * u), (88 * u, (y + 8) * u), (104 * u, (y - 14) * u)], fill=LINE, width=int(7 * u), joint="curve")
        d.rounded_rectangle((114 * u, (y - 5) * u, (178 if i != 1 else 164) * u, (y + 5) * u), radius=5 * u, fill=LINE)
    # A gold seal in the lower right corner: the office's mark that a task is supervised.
    d.ellipse((160 * u, 168 * u, 232 * u, 240 * u), fill=GOLD, outline=WHITE, width=int(6 * u))
    d.ellipse((182 * u, 190 * u, 210 * u, 218 * u), fill=RED)
    return img.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(SIZE)
    big.save(OUT / "duban.png", optimize=True)
    # Each .ico size drawn from the vector design, not scaled down from 256 (sharper at 16 px).
    sizes = [16, 24, 32, 48, 64, 128, 256]
    frames = {n: draw(n) for n in sizes}
    frames[256].save(OUT / "duban.ico", sizes=[(n, n) for n in sizes], append_images=[frames[n] for n in sizes[:-1]])
    print(f"wrote {OUT / 'duban.png'} and {OUT / 'duban.ico'}")


if __name__ == "__main__":
    main()
