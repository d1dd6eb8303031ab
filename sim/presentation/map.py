"""A schematic map of central Europe in 1938: the seven states coloured by posture, arrows for what passes between them.

The outlines are coarse polygons of the 1938 frontiers (Germany with Austria and East
Prussia, Czechoslovakia with Subcarpathian Ruthenia, Poland with Vilna, Greater
Romania with Bessarabia), drawn to be recognised on a classroom projector, not to be
measured. ``view_of`` reads one rollout of a recording ``CrisisModel``; ``svg``
draws a view as a self-contained SVG string (no fonts or images fetched), which the
app and the handout embed inline.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from html import escape

from sim.book.vocabulary import FRONTS, NEVER, PASSAGE_MODES, STATE_NAMES, STATES
from sim.engine.agents import POSTURES
from sim.engine.model import CrisisModel

# Projection: longitude and latitude to pixels, equirectangular with the scale of 50°N.
WEST, EAST, SOUTH, NORTH = -6.5, 36.0, 42.0, 59.5
SCALE = 22.0
WIDTH = round((EAST - WEST) * SCALE * math.cos(math.radians(50)))
HEIGHT = round((NORTH - SOUTH) * SCALE)
LEGEND = 78  # pixels below the map for the legend
RECENT_DAYS = 14  # pressure and requests for help fade over this many days; war, passage and aid stay

# Shared frontier points, so that neighbours meet.
T_CZ_PL_DE = (18.3, 49.95)
T_CZ_PL_RO = (24.6, 47.95)
DE_PL = [(17.6, 54.75), (17.0, 53.6), (16.0, 53.2), (15.8, 52.5), (16.2, 52.0), (17.0, 51.3), (17.8, 51.0), (18.6, 50.2), T_CZ_PL_DE]
DE_CZ = [T_CZ_PL_DE, (16.5, 50.7), (14.8, 50.9), (12.2, 50.3), (12.5, 49.5), (13.8, 48.7), (15.0, 48.9), (16.9, 48.6), (17.1, 48.0)]
PL_SU = [(28.0, 55.8), (27.6, 54.0), (27.3, 52.8), (27.3, 51.5), (26.5, 50.6), (26.3, 49.4), (26.2, 48.4)]
RO_SU = [(26.2, 48.4), (27.5, 48.4), (29.2, 47.4), (30.0, 46.4)]
CZ_PL = [T_CZ_PL_RO, (22.6, 49.1), (19.4, 49.5), T_CZ_PL_DE]

OUTLINES: dict[str, list[list[tuple[float, float]]]] = {
    "GB": [[(-5.7, 50.0), (1.4, 51.2), (1.7, 52.7), (0.2, 53.5), (-1.6, 55.6), (-2.0, 57.7), (-3.0, 58.6), (-5.0, 58.6), (-6.2, 57.5),
            (-5.6, 55.3), (-4.8, 54.8), (-3.2, 54.0), (-4.6, 53.3), (-4.2, 52.0), (-5.3, 51.7), (-3.5, 51.4)]],
    "FR": [[(7.6, 47.6), (6.0, 46.3), (6.9, 45.9), (7.0, 44.2), (7.5, 43.8), (4.5, 43.4), (3.2, 42.4), (-1.8, 43.4), (-1.2, 46.2),
            (-2.2, 47.1), (-4.8, 48.5), (-1.9, 49.7), (1.6, 50.9), (2.6, 51.1), (4.8, 50.1), (6.4, 49.5), (8.2, 49.0)]],
    "DE": [[(8.2, 49.0), (6.4, 49.5), (6.1, 50.3), (6.0, 51.0), (6.8, 51.9), (7.0, 53.3), (8.6, 53.9), (8.9, 54.9), (9.9, 54.8), (10.9, 54.0),
            (13.0, 54.4), (14.2, 53.9), (16.0, 54.3), *DE_PL, *DE_CZ[1:], (16.5, 47.5), (16.1, 46.8), (13.7, 46.5), (12.2, 47.0),
            (10.5, 46.9), (9.6, 47.5), (8.6, 47.6), (7.6, 47.6)],
           [(19.3, 54.35), (21.3, 55.25), (22.8, 55.0), (22.9, 54.4), (22.5, 53.6), (20.5, 53.15), (19.1, 53.4)]],  # East Prussia
    "CZ": [[*DE_CZ, (18.8, 47.8), (20.5, 48.3), (22.1, 48.4), (22.9, 47.95), *CZ_PL[:-1]]],
    "PL": [[(17.6, 54.75), (18.6, 54.8), (18.9, 54.3), (19.1, 53.4), (20.5, 53.15), (22.5, 53.6), (23.4, 54.3), (26.6, 55.7), *PL_SU,
            *CZ_PL, *reversed(DE_PL[1:-1])]],
    "RO": [[(22.9, 47.95), T_CZ_PL_RO, *RO_SU, (29.7, 45.2), (28.6, 43.8), (27.0, 44.0), (25.0, 43.7), (22.9, 43.8), (22.4, 44.6),
            (21.4, 44.8), (20.3, 46.1), (21.4, 46.6), (22.1, 47.6)]],
    "SU": [[(28.0, 55.8), (27.8, 57.5), (28.2, 59.5), (EAST, 59.5), (EAST, 46.5), (35.0, 45.2), (33.6, 44.4), (32.5, 45.4), (33.5, 46.0),
            (31.5, 46.6), *reversed(RO_SU), *reversed(PL_SU[:-1])]],
}
# The rest of Europe's land, drawn pale behind the seven so that the sea is sea (Scandinavia and the islands left out).
LAND = [
    [(WEST, 42.0), (WEST, 43.4), (-1.8, 43.4), (-1.2, 46.2), (-2.2, 47.1), (-4.8, 48.5), (-1.9, 49.7), (1.6, 50.9), (2.6, 51.1), (3.6, 51.4),
     (4.7, 52.9), (7.0, 53.3), (8.6, 53.9), (8.1, 55.5), (8.6, 57.1), (10.5, 57.6), (10.9, 56.4), (9.9, 54.8), (10.9, 54.0), (13.0, 54.4),
     (14.2, 53.9), (16.0, 54.3), (17.6, 54.75), (18.6, 54.8), (19.3, 54.35), (21.3, 55.25), (21.1, 55.7), (21.0, 56.5), (21.6, 57.5),
     (22.6, 57.7), (24.3, 57.2), (23.5, 58.6), (23.4, 59.3), (28.2, 59.5), (EAST, 59.5), (EAST, 46.5), (35.0, 45.2), (33.6, 44.4),
     (32.5, 45.4), (33.5, 46.0), (31.5, 46.6), (30.0, 46.4), (29.7, 45.2), (28.6, 43.8), (27.9, 42.0), (19.5, 42.0), (19.0, 42.2),
     (16.0, 43.5), (13.6, 45.7), (12.3, 44.2), (13.9, 42.9), (14.7, 42.0), (11.6, 42.0), (11.1, 42.4), (10.2, 43.9), (8.8, 44.4),
     (7.5, 43.8), (4.5, 43.4), (3.2, 42.4), (3.1, 42.0)],
    [(WEST, 52.0), (-6.0, 52.2), (-6.0, 53.9), (-5.5, 55.2), (WEST, 55.4)],  # Ireland
]
# The Czechoslovak fronts of the campaign (sim/engine/campaign.py) along the frontier with Germany: the northern from the
# Oder gap to the Giant Mountains, the western round Bohemia, the southern along the old Austrian border.
FRONT_LINES = {"north": DE_CZ[:3], "west": DE_CZ[2:6], "south": DE_CZ[5:]}
FRONT_STYLES = {"held": ("#1b2a6b", ""), "broken": ("#000", "2 5")}  # a front's state: colour, dash pattern (black shows on red and grey)
# Where each state's label sits and its arrows start and end.
VIA = {"RO": (25.2, 47.5), "PL": (23.0, 50.6)}  # the point a Soviet arrow's curve passes, by the state it crosses
ANCHORS = {"GB": (-2.2, 52.6), "FR": (2.2, 47.0), "DE": (9.6, 52.2), "CZ": (16.9, 49.45), "PL": (21.6, 52.2), "RO": (25.2, 45.9), "SU": (31.5, 52.0)}

# The map's postures: the agents' four, and a fifth once a state's resistance has ended (Czechoslovakia beaten and occupied).
MAP_POSTURES = (*POSTURES, "occupied")
OCCUPIED = MAP_POSTURES.index("occupied")
POSTURE_COLOURS = ("#e4ebf0", "#f5dc6e", "#f09a45", "#d7372f", "#9b8fb0")  # calm, alert, mobilised, at war, occupied
ARROW_STYLES = {  # kind: (colour, dash pattern, width, legend text)
    "pressure": ("#8a5a00", "6 4", 2.0, "pressure, demand"),
    "help": ("#1f5fbf", "2 4", 2.0, "help asked"),
    "passage": ("#177a33", "8 3", 2.5, "passage, aid"),
    "war": ("#b3121b", "", 3.0, "war"),
}
# What a fired rule's action draws, by action kind: (arrow kind, words on the arrow).
ACTION_ARROWS = {"pressure": ("pressure", "pressure"), "demand": ("pressure", "demand"), "propose": ("pressure", "proposal"),
                 "ask_help": ("help", "asks help"), "attack": ("war", "attacks"), "declare_war": ("war", "war"),
                 "send_aid": ("passage", "aircraft sent")}  # drawn over Romania, the route of the deliveries (fn 17, 49)


@dataclass(frozen=True)
class StateView:
    posture: int  # index into MAP_POSTURES (agents.POSTURES, then "occupied")
    mobilisation: float


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    kind: str  # a key of ARROW_STYLES
    label: str
    age: int = 0  # days since the action (0 for lasting states: war, passage, aid)
    via: str = ""  # the state a Soviet arrow crosses: "RO" (drawn just north of Romania's label) or "PL" (across southern Poland)


@dataclass(frozen=True)
class MapView:
    states: dict[str, StateView]
    arrows: tuple[Arrow, ...]
    caption: str = ""
    fronts: tuple[tuple[str, str], ...] = ()  # once Germany has attacked: each front and "held" or "broken"


def view_of(model: CrisisModel, position: int = 0, caption: str = "") -> MapView:
    """One rollout of a recording model as the map shows it: postures now, and every arrow so far."""
    states = {code: StateView(int(agent.posture[position]), float(agent.mobilisation[position])) for code, agent in model.states.items()}
    if "CZ" in states and model.lane_values("crisis.cz_resistance_end_day")[position] < model.day:  # resistance has ended
        states["CZ"] = StateView(OCCUPIED, states["CZ"].mobilisation)
    return MapView(states, tuple(_arrows(model, position)), caption, fronts_of(model, position))


def fronts_of(model: CrisisModel, position: int = 0) -> tuple[tuple[str, str], ...]:
    """Each front's state today ("held", or "broken" once German progress there has reached a breach), from Germany's attack
    until Czechoslovak resistance ends (none before or after: the map then shows Czechoslovakia occupied)."""
    if model.lane_values("CZ.attacked_day")[position] >= min(model.day, NEVER) or model.lane_values("crisis.cz_resistance_end_day")[position] < model.day:
        return ()
    return tuple((front, "broken" if model.lane_values(f"crisis.front_{front}")[position] >= 1 else "held") for front in FRONTS)


def _arrows(model: CrisisModel, position: int) -> list[Arrow]:
    """Arrows from the actions of the rules that have fired (the latest of each pair and kind), the Romanian passage and Soviet aid."""
    rules = {**model.former_rules, **{rule.id: rule.rule for rule in model.rules}}  # a branch's past may name rules it no longer has
    today = model.day - 1  # the last day simulated
    arrows: dict[tuple[str, str, str], Arrow] = {}
    for happening in model.log:
        if happening.kind != "rule" or not happening.lanes[position]:
            continue
        rule = rules[happening.name]
        if rule.action.kind in ACTION_ARROWS:
            kind, words = ACTION_ARROWS[rule.action.kind]
            age = 0 if kind == "war" else today - happening.day
            if age < RECENT_DAYS:
                target = rule.action.aimed_at()
                arrows[(rule.actor, target, kind)] = Arrow(rule.actor, target, kind, words, age)
    modes = [mode for mode in PASSAGE_MODES if model.lane_values(f"RO.passage_{mode}")[position] > 0]
    if modes:
        arrows[("SU", "CZ", "passage")] = Arrow("SU", "CZ", "passage", f"via Romania: {', '.join(modes)}", via="RO")
    routes = soviet_routes(model, position)
    arrived = {what: routes[what] for what, name in (("aircraft", "crisis.su_aid_day"), ("troops", "crisis.su_troops_day"))
               if model.lane_values(name)[position] < model.day}
    for via in dict.fromkeys(arrived.values()):  # one arrow a route: "aircraft and troops" where both came the same way
        kind = "passage" if via == next(iter(arrived.values())) else "passage-troops"  # a second key draws a second arrow
        what = " and ".join(what for what, their in arrived.items() if their == via)
        arrows[("SU", "CZ", kind)] = Arrow("SU", "CZ", "passage", f"Soviet {what} arrive", via=via)
    if ("SU", "DE", "war") in arrows:  # the Red Army's way to Germany is the way its troops take (or would) to Czechoslovakia
        arrows[("SU", "DE", "war")] = dataclasses.replace(arrows[("SU", "DE", "war")], via=routes["troops"])
    return [dataclasses.replace(arrow, via="RO") if arrow.kind == "passage" and arrow.source == "SU" and not arrow.via else arrow
            for arrow in arrows.values()]


def soviet_routes(model: CrisisModel, position: int) -> dict[str, str]:
    """The state Soviet aircraft and Soviet troops cross (or would) in this rollout, "RO" or "PL", as the campaign sends them
    (``sim/engine/campaign.py``): troops across Poland once the Red Army has crossed it without leave, else by the Romanian
    railway; aircraft through Romania once it opens its railways or skies in war, else across Poland once they or the
    Red Army have crossed it (and through Romania, the route of the deliveries, while none is open)."""
    poland_troops = model.lane_values("SU.through_poland")[position] > 0
    romania_air = any(model.lane_values(f"RO.passage_{mode}")[position] > 0 for mode in ("troops", "warplanes"))
    poland_air = poland_troops or model.lane_values("SU.overflies_poland")[position] > 0
    return {"troops": "PL" if poland_troops else "RO", "aircraft": "PL" if poland_air and not romania_air else "RO"}


def _point(lon: float, lat: float) -> tuple[float, float]:
    return (lon - WEST) * SCALE * math.cos(math.radians(50)), (NORTH - lat) * SCALE


def _polygon(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(*point) for point in points))


def _shape_svg(code: str, view: StateView) -> str:
    colour = POSTURE_COLOURS[view.posture]
    shapes = "".join(f'<polygon points="{_polygon(outline)}" fill="{colour}" stroke="#445" stroke-width="1"/>' for outline in OUTLINES[code])
    return f'<g class="state" data-state="{code}" data-posture="{MAP_POSTURES[view.posture]}">{shapes}</g>'


def _label_svg(code: str, view: StateView) -> str:
    """Name, posture and a mobilisation bar, over the arrows (white halo so that they stay legible)."""
    x, y = _point(*ANCHORS[code])
    halo = 'paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"'
    bar = 50 * max(0.0, min(1.0, view.mobilisation))
    return (f'<g class="label"><text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="18" font-weight="bold" {halo}>'
            f'{escape(STATE_NAMES[code].removeprefix("the "))}</text>'
            f'<text x="{x:.1f}" y="{y + 10:.1f}" text-anchor="middle" font-size="15" {halo}>{MAP_POSTURES[view.posture]}</text>'
            f'<rect x="{x - 25:.1f}" y="{y + 14:.1f}" width="50" height="6" fill="#fff" stroke="#445" stroke-width="0.5"/>'
            f'<rect x="{x - 25:.1f}" y="{y + 14:.1f}" width="{bar:.1f}" height="6" fill="#334"/></g>')


def _arrow_svg(arrow: Arrow, earlier: int, placed: list[tuple[float, float, float]]) -> str:
    """One curved arrow; ``earlier`` arrows from the same source to the same target push it further out.

    Its label keeps clear of the states' names and of the labels ``placed`` before it (and is added to them).
    """
    colour, dash, width, _ = ARROW_STYLES[arrow.kind]
    (x1, y1), (x2, y2) = _point(*ANCHORS[arrow.source]), _point(*ANCHORS[arrow.target])
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    # Stop short of the labels, and bend to the arrow's left: arrows in opposite directions take opposite sides.
    x1, y1, x2, y2 = x1 + (x2 - x1) * 24 / length, y1 + (y2 - y1) * 24 / length, x2 - (x2 - x1) * 30 / length, y2 - (y2 - y1) * 30 / length
    bend = 22 + 16 * earlier
    cx, cy = (x1 + x2) / 2 - (y2 - y1) / length * bend, (y1 + y2) / 2 + (x2 - x1) / length * bend
    if arrow.via in VIA:  # a Soviet route: through Romania (just north of its label) or across southern Poland (below its label)
        via_x, via_y = _point(*VIA[arrow.via])
        cx, cy = 2 * via_x - (x1 + x2) / 2, 2 * via_y - (y1 + y2) / 2
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    opacity = 1.0 - 0.7 * arrow.age / RECENT_DAYS
    tx, ty = label_place((x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4, 7.5 * len(arrow.label), placed)
    return (f'<g class="arrow" data-kind="{arrow.kind}" opacity="{opacity:.2f}"><path d="M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}" '
            f'fill="none" stroke="{colour}" stroke-width="{width}"{dashes} marker-end="url(#head-{arrow.kind})"/>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" font-size="14" fill="{colour}" text-anchor="middle" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{escape(arrow.label)}</text></g>')


LABEL_ROOM = (66, 26)  # half the width and height a state's name and posture take around its anchor


def label_place(x: float, y: float, width: float, placed: list[tuple[float, float, float]]) -> tuple[float, float]:
    """An arrow label's place: the nearest, up or down from the curve's middle, that covers no state's name and no
    label ``placed`` before it (each x, y, width); it is added to them."""
    def clear(ty: float) -> bool:
        names = all(abs(x - ax) >= LABEL_ROOM[0] + width / 2 or abs(ty - 5 - ay) >= LABEL_ROOM[1] + 7 for ax, ay in map(lambda c: _point(*c), ANCHORS.values()))
        return names and all(abs(x - px) >= (width + other) / 2 or abs(ty - py) >= 16 for px, py, other in placed)

    ty = next((y + dy for dy in (0, -17, 17, -34, 34, -51, 51, -68, 68) if clear(y + dy)), y)
    placed.append((x, ty, width))
    return x, ty


def _front_svg(front: str, state: str) -> str:
    """A front as a thick line along the frontier: solid while it holds, dashed black once broken."""
    colour, dash = FRONT_STYLES[state]
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(*point) for point in FRONT_LINES[front]))
    return (f'<polyline class="front" data-front="{front}" data-front-state="{state}" points="{points}" fill="none" '
            f'stroke="{colour}" stroke-width="5" stroke-linecap="round"{dashes}><title>{front} front: {state}</title></polyline>')


def _legend() -> str:
    rows, x = [HEIGHT + 18, HEIGHT + 42, HEIGHT + 66], 8.0
    items = []
    for posture, colour in zip(MAP_POSTURES, POSTURE_COLOURS, strict=True):
        items.append(f'<rect x="{x:.0f}" y="{rows[0] - 11}" width="14" height="12" fill="{colour}" stroke="#445"/>'
                     f'<text x="{x + 19:.0f}" y="{rows[0]}" font-size="14">{posture}</text>')
        x += 32 + 7.6 * len(posture)
    x = 8.0
    for kind, (colour, dash, width, words) in ARROW_STYLES.items():
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<line x1="{x:.0f}" y1="{rows[1] - 5}" x2="{x + 28:.0f}" y2="{rows[1] - 5}" stroke="{colour}" stroke-width="{width}"{dashes} '
                     f'marker-end="url(#head-{kind})"/><text x="{x + 34:.0f}" y="{rows[1]}" font-size="14">{words}</text>')
        x += 52 + 7.6 * len(words)
    items.append(f'<text x="8" y="{rows[2]}" font-size="14">bar under a name: how far it has mobilised; Czechoslovak fronts:</text>')
    x = 8 + 7.1 * 60
    for state, (colour, dash) in FRONT_STYLES.items():
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<line x1="{x:.0f}" y1="{rows[2] - 5}" x2="{x + 28:.0f}" y2="{rows[2] - 5}" stroke="{colour}" stroke-width="5"{dashes}/>'
                     f'<text x="{x + 34:.0f}" y="{rows[2]}" font-size="14">{state}</text>')
        x += 52 + 7.6 * len(state)
    return "".join(items)


def _markers() -> str:
    return "".join(f'<marker id="head-{kind}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>' for kind, (colour, *_) in ARROW_STYLES.items())


def svg(view: MapView) -> str:
    """The map as an SVG element to put inline in HTML (no namespace needed there; system fonts only, nothing fetched)."""
    shown = [code for code in STATES if code in view.states]
    land = "".join(f'<polygon points="{_polygon(outline)}" fill="#f1efe6" stroke="#b9b5a8" stroke-width="0.8"/>' for outline in LAND)
    states = "".join(_shape_svg(code, view.states[code]) for code in shown)
    states += "".join(_front_svg(front, state) for front, state in view.fronts)
    placed: list[tuple[float, float, float]] = []
    arrows = "".join(_arrow_svg(arrow, sum((a.source, a.target) == (arrow.source, arrow.target) for a in view.arrows[:index]), placed)
                     for index, arrow in enumerate(view.arrows))
    labels = "".join(_label_svg(code, view.states[code]) for code in shown)
    caption = f'<text x="{WIDTH - 8}" y="22" font-size="18" font-weight="bold" text-anchor="end">{escape(view.caption)}</text>' if view.caption else ""
    return (f'<svg class="crisis-map" viewBox="0 0 {WIDTH} {HEIGHT + LEGEND}" '
            f'width="100%" style="max-width:{WIDTH * 1.5:.0f}px;font-family:sans-serif" role="img" '
            f'aria-label="Schematic map of central Europe in 1938"><defs>{_markers()}</defs>'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#d8e8f4"/>{land}{states}{arrows}{labels}{caption}{_legend()}</svg>')
