#!/usr/bin/env python3
"""Draw content/media/locator-map.svg, the example timeline's locator map.

The geometry is Natural Earth 4.1.0 (public domain) as redistributed in the
npm package world-atlas 2.0.2 (ISC), file countries-50m.json (TopoJSON,
Admin 0 countries, 1:50m). To re-run, from the repository's root:

    (cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz)
    python scripts/locator_map.py /tmp/package/countries-50m.json \
        content/media/locator-map.svg

Standard library only. The script decodes the TopoJSON arcs (quantized,
delta-encoded) itself, projects them (equirectangular, standard parallel
45 N: north is up everywhere, so Ukraine and Korea keep the shapes readers
know; the frame is 14 E to 146 E, 30 N to 70 N), clips each ring to the
frame (Sutherland-Hodgman), drops points closer than 0.6 unit to the last
one kept and writes the SVG with coordinates rounded to 0.1 unit.

Two things on the map are not in the file: Kursk is a point at the city's
coordinates (51.73 N 36.19 E; world-atlas has no admin-1 regions), and
Crimea, which Natural Earth 4.1.0 draws as part of Russia, is drawn as part
of Ukraine, its internationally recognised border.
"""
import json
import math
import sys

WIDTH = 960                      # SVG units; the height follows the frame
WEST, EAST, SOUTH, NORTH = 14.0, 146.0, 30.0, 70.0   # the frame, degrees
PARALLEL = 45.0                  # the projection's standard parallel

# Highlighted countries (ISO 3166-1 numeric id) and their fills: Russia,
# Ukraine, North Korea, South Korea in colours of Paul Tol's "light" scheme,
# made to stay apart for colour-blind readers.
HIGHLIGHT = {"643": "#EEDD88", "804": "#77AADD", "408": "#EE8866", "410": "#44BB99"}
OTHER_FILL, SEA_FILL, BORDER = "#DEDEDE", "#EEF4F9", "#FFFFFF"
CRIMEA = (34.10, 44.95)          # Simferopol: the Russian ring holding it goes to Ukraine
KURSK = (36.19, 51.73)           # lon, lat of the city of Kursk
# Labels: text, lon, lat of the text anchor, anchor, leader line's end (lon, lat) or None.
LABELS = [
    ("Russia", 92.0, 60.0, "middle", None),
    ("Ukraine", 31.2, 48.2, "middle", None),
    ("North Korea", 122.0, 43.2, "end", (126.6, 40.3)),
    ("South Korea", 123.8, 35.2, "end", (127.6, 36.3)),
]


def project(lon, lat):
    """Equirectangular, true to scale along the standard parallel: (x, y), y northwards."""
    return math.radians(lon) * math.cos(math.radians(PARALLEL)), math.radians(lat)


# The frame is the lon/lat box itself: every parallel and meridian is straight.
X0, Y0 = project(WEST, SOUTH)
X1, Y1 = project(EAST, NORTH)
SCALE = WIDTH / (X1 - X0)
HEIGHT = round((Y1 - Y0) * SCALE)


def to_svg(lon, lat):
    x, y = project(lon, lat)
    return (x - X0) * SCALE, (Y1 - y) * SCALE


def decode_arcs(topo):
    """Undo TopoJSON's delta encoding and quantization: arcs in lon/lat."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def rings_of(geometry, arcs):
    """Each ring of a (Multi)Polygon as a list of lon/lat points."""
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    for polygon in polygons:
        for ring_arcs in polygon:
            ring = []
            for i in ring_arcs:
                arc = arcs[i] if i >= 0 else arcs[~i][::-1]
                ring.extend(arc if not ring else arc[1:])
            # East of 160 W is Russia's far east, past the antimeridian.
            yield [(lon + 360 if lon < -160 else lon, lat) for lon, lat in ring]


def contains(ring, point):
    """Even-odd point-in-polygon test in lon/lat."""
    px, py = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def clip(ring):
    """Sutherland-Hodgman: the ring cut to the frame 0..WIDTH x 0..HEIGHT."""
    edges = [(0, 0, 1), (0, WIDTH, -1), (1, 0, 1), (1, HEIGHT, -1)]   # axis, bound, side
    for axis, bound, side in edges:
        if not ring:
            break
        out = []
        for a, b in zip(ring[-1:] + ring[:-1], ring):
            a_in = (a[axis] - bound) * side >= 0
            b_in = (b[axis] - bound) * side >= 0
            if a_in != b_in:
                t = (bound - a[axis]) / (b[axis] - a[axis])
                out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
            if b_in:
                out.append(b)
        ring = out
    return ring


def path_data(rings, min_step=0.6):
    """SVG path data in relative moves, integers of 0.1 unit underneath."""
    parts = []
    for ring in rings:
        kept = []
        for x, y in ring:
            if not kept or math.hypot(x - kept[-1][0], y - kept[-1][1]) >= min_step:
                kept.append((x, y))
        if len(kept) < 3:
            continue
        pts = [(round(x * 10), round(y * 10)) for x, y in kept]
        cmd = ["M%s %sl" % (fmt(pts[0][0]), fmt(pts[0][1]))]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            if (x0, y0) != (x1, y1):
                cmd.append("%s %s" % (fmt(x1 - x0), fmt(y1 - y0)))
        parts.append(cmd[0] + " ".join(cmd[1:]) + "z")
    return "".join(parts)


def fmt(tenths):
    """An integer count of tenths as the shortest decimal: 12 -> 1.2, 10 -> 1."""
    return str(tenths // 10) if tenths % 10 == 0 else "%.1f" % (tenths / 10)


def main(topojson_path, svg_path):
    with open(topojson_path, encoding="utf-8") as f:
        topo = json.load(f)
    arcs = decode_arcs(topo)
    shapes = {}                       # id -> list of rings in SVG units
    for geometry in topo["objects"]["countries"]["geometries"]:
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        cid = geometry.get("id", "")
        for ring in rings_of(geometry, arcs):
            if min(lon for lon, _ in ring) < -30 or max(lat for _, lat in ring) < 0:
                continue                       # the Americas, Antarctica: off the map
            target = "804" if cid == "643" and contains(ring, CRIMEA) else cid
            clipped = clip([to_svg(lon, lat) for lon, lat in ring])
            if clipped:
                shapes.setdefault(target, []).append(clipped)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d"'
           ' role="img" aria-labelledby="title desc">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
           '<title id="title">Locator map: Ukraine, Russia, North Korea and South Korea,'
           ' with Kursk marked</title>',
           '<desc id="desc">Equirectangular map (standard parallel 45 N) of Eurasia from Ukraine to Korea.'
           ' Country outlines: Natural Earth 4.1.0 (public domain) via world-atlas 2.0.2.'
           ' Kursk is a point at 51.73 N 36.19 E. Crimea is drawn as part of Ukraine.</desc>',
           '<rect width="%d" height="%d" fill="%s"/>' % (WIDTH, HEIGHT, SEA_FILL),
           '<g stroke="%s" stroke-width="0.8" stroke-linejoin="round" fill-rule="evenodd">' % BORDER]
    for cid in sorted(shapes, key=lambda c: (c in HIGHLIGHT, c)):
        fill = HIGHLIGHT.get(cid, OTHER_FILL)
        out.append('<path fill="%s" d="%s"/>' % (fill, path_data(shapes[cid])))
    out.append('</g>')
    out.append('<g font-family="sans-serif" fill="#1A1A1A" stroke="#FFFFFF" stroke-width="5"'
               ' stroke-linejoin="round" paint-order="stroke">')
    for text, lon, lat, anchor, leader in LABELS:
        x, y = to_svg(lon, lat)
        if leader:
            lx, ly = to_svg(*leader)
            out.append('<path d="M%.1f %.1fL%.1f %.1f" stroke="#1A1A1A" stroke-width="1.5"/>'
                       % (x + 4, y - 9, lx, ly))
        out.append('<text x="%.1f" y="%.1f" text-anchor="%s" font-size="30" font-weight="bold">'
                   '%s</text>' % (x, y, anchor, text))
    kx, ky = to_svg(*KURSK)
    out.append('<circle cx="%.1f" cy="%.1f" r="7" fill="#1A1A1A" stroke-width="2.5"/>' % (kx, ky))
    out.append('<text x="%.1f" y="%.1f" font-size="28">Kursk</text>' % (kx + 12, ky - 8))
    out.append('</g></svg>\n')
    with open(svg_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: locator_map.py COUNTRIES_TOPOJSON OUT_SVG")
    main(sys.argv[1], sys.argv[2])
