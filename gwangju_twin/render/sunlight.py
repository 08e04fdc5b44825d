"""The sun on the drawn world: its light, colours, sky and haze from the scene's clock, and
at the ``medium`` and ``high`` quality presets its shadows.

Shadows are drawn by GLSL shaders of our own reading the directional light's shadow map
through Panda3D's ``p3d_LightSource`` inputs: ``DAY_VERT``/``DAY_FRAG`` by day and
``SHADER_VERT``/``SHADER_FRAG``, which also draw the lit windows, from dusk on. Panda3D's shader
generator is not used: on this Mesa its Cg programs fail ("The profile is not supported") in
the default context, and with ``gl-version 3 2`` the core profile has no shader generator at
all (``GraphicsStateGuardian.get_shader_generator()`` is None, every surface drawn unlit);
both seen here, docs/daylight.md. Our shader runs in the default (compatibility) context, so
the ``low`` preset keeps the fixed-function pipeline, its fog and its speed.

The shadow map is rendered once and then only when the sun moves or the view's fit changes
(``render/shadowfit.py``), at most ``MAX_SHADOW_RENDERS_PER_SECOND`` times a second while a
day is played: the shadow buffer is inactive otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from panda3d.core import (
    AmbientLight,
    BoundingSphere,
    ClockObject,
    ColorWriteAttrib,
    DirectionalLight,
    Fog,
    FogAttrib,
    GeomNode,
    GraphicsOutput,
    LightAttrib,
    Mat4,
    NodePath,
    OrthographicLens,
    Point2,
    Point3,
    RenderState,
    Shader,
    ShaderAttrib,
    TextureAttrib,
    Vec4,
)

from gwangju_twin.mesh.glow import schedule_levels
from gwangju_twin.render.daylight import Daylight, daylight
from gwangju_twin.render.shadowfit import Extent, ShadowFit, fit_shadow, footprint, ground_cover
from gwangju_twin.render.world import SHADOW_CAMERA
from gwangju_twin.settings import Quality, QualityChoice
from gwangju_twin.sun.clock import SEOUL

if TYPE_CHECKING:
    from datetime import datetime

    from panda3d.core import GraphicsStateGuardianBase, Lens

    from gwangju_twin.sun.position import SunPosition

#: A day played forward re-renders the shadow map at most this often (issue 16's target).
MAX_SHADOW_RENDERS_PER_SECOND = 4.0

#: Where the shadow shader is drawn (``SunRig.shade``): on every part of the world ("all"),
#: on none of it ("none": the view is farther than shadows reach), or only on the tiles that
#: meet this xy box (what the shadow map covers); the others are drawn fixed-function.
Shading = Literal["all", "none"] | Extent


@dataclass(frozen=True)
class Preset:
    """What a quality preset draws."""

    shadows: bool
    map_size: int = 0
    """The shadow map's width and height in texels (a power of two)."""
    soft: bool = False
    """Percentage-closer filtering over 3x3 texels (soft shadow edges)."""
    reach: float = 0.0
    """How far from the eye (metres) shadows are drawn; beyond, the haze hides them."""


PRESETS: dict[Quality, Preset] = {
    "low": Preset(shadows=False),
    "medium": Preset(shadows=True, map_size=2048, reach=1500.0),
    "high": Preset(shadows=True, map_size=4096, soft=True, reach=2500.0),
}

#: Words in the OpenGL renderer string of a software rasteriser (Mesa's llvmpipe, softpipe and
#: swrast; Microsoft's GDI fallback).
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "software", "gdi generic")
#: The preset "auto" takes on a software rasteriser, there for a whole city drawn from its
#: tiles, and on a GPU (docs/daylight.md gives the benchmarks they were chosen by).
AUTO_SOFTWARE: Quality = "medium"
AUTO_SOFTWARE_CITY: Quality = "low"
AUTO_GPU: Quality = "high"


def choose_quality(choice: QualityChoice, renderer: str, whole_city: bool = False) -> Quality:
    """The preset for ``choice``: itself, or for "auto" the one suited to the OpenGL
    ``renderer`` string (empty when nothing is drawn: "low"). ``whole_city``: the city is
    drawn from its tile cache (a city too big to draw whole); on a software rasteriser its
    street views fill the screen with near walls, whose per-pixel shadow lookup would halve
    the frame rate, so it is drawn without shadows unless asked for."""
    if choice != "auto":
        return choice
    if not renderer:
        return "low"
    if any(word in renderer.lower() for word in SOFTWARE_RENDERERS):
        return AUTO_SOFTWARE_CITY if whole_city else AUTO_SOFTWARE
    return AUTO_GPU


SHADER_VERT = """#version 130
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform mat3 p3d_NormalMatrix;
uniform mat4 p3d_ModelMatrix;
uniform struct { vec4 color; vec4 position; sampler2DShadow shadowMap;
                 mat4 shadowViewMatrix; } p3d_LightSource[2];
uniform struct { vec4 ambient; } p3d_LightModel;
uniform vec4 p3d_ColorScale;
uniform vec2 u_shadow_bias;  // (normal offset in metres, depth bias in depth units)
uniform float u_night;
uniform vec4 u_schedule;  // how much of each schedule's share is lit now (mesh/glow.py)
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec4 p3d_Color;
in float emissive;  // mesh/glow.py's byte, 0..255: schedule in the top 2 bits, share below
out vec4 v_color;
out vec3 v_ambient;  // ambient and fill light, which shadows do not touch
out vec3 v_sun;  // the sun's light on the surface, where it is not in shadow
out vec4 v_shadow;
out vec3 v_eye;
// Lit windows: few and cheap varyings, as each one costs every pixel on a software
// rasteriser, by day too. Only walls carry an emissive byte (mesh/glow.py), so a wall's
// place is two numbers that vary linearly over it; what is constant over a wall is flat.
out vec2 v_wall;  // metres along the wall, metres up
flat out vec2 v_glow;  // schedule + share of windows lit now (0: none); the wall's seed
void glow() {
    v_wall = vec2(0.0);
    v_glow = vec2(0.0);
    // By day (and on anything that does not glow) nothing past this test.
    if (u_night <= 0.0 || emissive < 0.5) return;
    float schedule = floor(emissive / 64.0);
    float lit = mod(emissive, 64.0) / 63.0 * u_schedule[int(schedule)];
    if (lit <= 0.0) return;
    vec3 w = (p3d_ModelMatrix * p3d_Vertex).xyz;
    vec3 n = mat3(p3d_ModelMatrix) * p3d_Normal;
    vec2 nw = normalize(n.xy + vec2(1e-9, 0.0));
    v_wall = vec2(dot(w.xy, vec2(-nw.y, nw.x)), w.z);
    // The wall's distance from the origin along its normal: the same at all its corners.
    v_glow = vec2(schedule + min(lit, 0.999), dot(w.xy, nw));
}
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    vec4 eye = p3d_ModelViewMatrix * p3d_Vertex;
    vec3 n = normalize(p3d_NormalMatrix * p3d_Normal);
    v_eye = eye.xyz;
    v_color = p3d_Color * p3d_ColorScale;
    // The fixed-function light equation, per vertex as fixed-function lighting is (the
    // city's faces are flat, so per pixel would give the same), with the vertex colour as
    // the material: a preset changes the shadows, not the colours of the city.
    v_ambient = p3d_LightModel.ambient.rgb + p3d_LightSource[1].color.rgb
        * max(dot(n, normalize(p3d_LightSource[1].position.xyz)), 0.0);
    v_sun = p3d_LightSource[0].color.rgb
        * max(dot(n, normalize(p3d_LightSource[0].position.xyz)), 0.0);
    // Normal offset: look the shadow up a little off the surface, so a wall or roof never
    // shadows itself (acne) without the large depth bias that detaches shadows (peter-panning).
    // Scaled with the slope: a roof under a low sun meets the light at a grazing angle, where
    // one texel of the map spans the most depth.
    float ndl = clamp(dot(n, normalize(p3d_LightSource[0].position.xyz)), 0.0, 1.0);
    float slope = 1.0 + 2.0 * (1.0 - ndl);
    v_shadow = p3d_LightSource[0].shadowViewMatrix
        * vec4(eye.xyz + n * u_shadow_bias.x * slope, 1.0);
    v_shadow.z -= u_shadow_bias.y * slope * v_shadow.w;
    glow();
}
"""

SHADER_FRAG = """#version 130
uniform struct { vec4 color; vec4 position; sampler2DShadow shadowMap;
                 mat4 shadowViewMatrix; } p3d_LightSource[2];
uniform struct { vec4 color; float density; float start; float end; float scale; } p3d_Fog;
uniform float u_shadow_texel;  // one texel in shadow-map coordinates; 0: a single lookup
uniform float u_night;  // 0 by day, 1 at night: how many of the windows are lit
in vec4 v_color;
in vec3 v_ambient;
in vec3 v_sun;
in vec4 v_shadow;
in vec3 v_eye;
in vec2 v_wall;
flat in vec2 v_glow;
out vec4 o_color;
float shadow() {
    vec3 s = v_shadow.xyz / v_shadow.w;
    if (s.x <= 0.0 || s.x >= 1.0 || s.y <= 0.0 || s.y >= 1.0) return 1.0;  // off the map
    if (u_shadow_texel <= 0.0) return texture(p3d_LightSource[0].shadowMap, s);
    float lit = 0.0;  // 3x3 taps, each filtered over 2x2 texels by the hardware
    for (int i = -1; i <= 1; ++i)
        for (int j = -1; j <= 1; ++j)
            lit += texture(p3d_LightSource[0].shadowMap,
                           s + vec3(float(i), float(j), 0.0) * u_shadow_texel);
    return lit / 9.0;
}
vec3 windows() {
    // Lit windows on walls at night: which walls glow, in what colour and how many of their
    // windows, is the mesh's emissive byte (v_glow); where the windows are is drawn here
    // from the wall's own position: cells of 3.5 m along the wall by 3 m floors, each lit
    // when a hash of its cell is under the share (no texture per building). Where a window
    // gets under about a pixel, the pattern fades to its mean glow.
    if (v_wall.y < 2.0) return vec3(0.0);
    float schedule = floor(v_glow.x);
    float lit = fract(v_glow.x);
    // Homes warm, workplaces cool white, shops bright, hospitals white.
    vec3 tint = schedule < 0.5 ? vec3(1.0, 0.78, 0.45)
        : schedule < 1.5 ? vec3(0.78, 0.88, 1.0)
        : schedule < 2.5 ? vec3(1.0, 0.9, 0.66) : vec3(0.92, 0.96, 1.0);
    vec2 cell = v_wall / vec2(3.5, 3.0);
    vec2 f = fract(cell);
    float inside = step(0.25, f.x) * step(f.x, 0.75) * step(0.3, f.y) * step(f.y, 0.8);
    vec2 id = floor(cell) + vec2(0.0, 7.0 * floor(v_glow.y));
    float on = step(fract(sin(dot(id, vec2(12.9898, 78.233))) * 43758.5453), lit);
    float px = max(fwidth(cell.x), fwidth(cell.y));  // cells per pixel
    float far = smoothstep(0.3, 0.7, px);
    return tint * mix(inside * on, 0.18 * lit, far);
}
void main() {
    vec3 light = v_ambient;
    // Surfaces turned from the sun take no lookup (and so no acne).
    if (max(v_sun.r, max(v_sun.g, v_sun.b)) > 0.0) light += v_sun * shadow();
    vec3 c = v_color.rgb * min(light, vec3(1.0));
    // By day, and on walls with no lit windows, not one instruction of it.
    if (u_night > 0.0 && v_glow.x > 0.0) c += u_night * windows();
    // The haze as the fixed-function exponential-squared fog, per pixel: per vertex, the
    // ground plane's big triangles showed their diagonals at dusk. No fog, or no density,
    // leaves the colour alone.
    float d = length(v_eye) * p3d_Fog.density;
    o_color = vec4(mix(p3d_Fog.color.rgb, c, exp(-d * d)), v_color.a);
}
"""


# The shader by day (no window lit, ``u_night`` 0): the same picture as the one above with
# as little per pixel as it takes, as a software rasteriser pays for every varying of every
# pixel and for both sides of every branch (llvmpipe runs a branch under a mask, it does not
# jump): on the street view of issue 16's 185k-building city, its tiles loaded, frames cost
# 1.30x those without shadows with the shader above and 1.07x with this one (one process,
# the shader swapped in turn; docs/daylight.md). Per vertex it lights the colour twice,
# in the sun and in shadow, so a pixel only mixes the two by its shadow lookup; with the
# lookup 0 or 1 that is the shader above's min(ambient + sun * lit, 1) exactly. The shadow
# map's coordinates are divided per vertex: the sun's lens is orthographic (w is 1). One
# lookup (filtered over 2x2 texels, whose edge pixels may be 1-13/255 off the shader above
# where the light saturates): the soft shadows of ``high`` keep the shader above, whose
# penumbra this mix would darken by up to 36/255.
DAY_VERT = """#version 130
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform mat3 p3d_NormalMatrix;
uniform struct { vec4 color; vec4 position; sampler2DShadow shadowMap;
                 mat4 shadowViewMatrix; } p3d_LightSource[2];
uniform struct { vec4 ambient; } p3d_LightModel;
uniform vec4 p3d_ColorScale;
uniform vec2 u_shadow_bias;  // (normal offset in metres, depth bias in depth units)
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec4 p3d_Color;
out vec4 v_lit;  // the colour in the sun (alpha: the vertex's)
out vec3 v_shade;  // the colour in shadow
out vec3 v_shadow;  // where in the shadow map
out vec3 v_eye;
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    vec4 eye = p3d_ModelViewMatrix * p3d_Vertex;
    vec3 n = normalize(p3d_NormalMatrix * p3d_Normal);
    v_eye = eye.xyz;
    vec4 color = p3d_Color * p3d_ColorScale;
    vec3 ambient = p3d_LightModel.ambient.rgb + p3d_LightSource[1].color.rgb
        * max(dot(n, normalize(p3d_LightSource[1].position.xyz)), 0.0);
    float ndl = max(dot(n, normalize(p3d_LightSource[0].position.xyz)), 0.0);
    v_shade = color.rgb * min(ambient, vec3(1.0));
    v_lit = vec4(color.rgb * min(ambient + p3d_LightSource[0].color.rgb * ndl, vec3(1.0)),
                 color.a);
    // The normal offset and depth bias of the shader above.
    float slope = 1.0 + 2.0 * (1.0 - min(ndl, 1.0));
    vec4 s = p3d_LightSource[0].shadowViewMatrix
        * vec4(eye.xyz + n * u_shadow_bias.x * slope, 1.0);
    s.z -= u_shadow_bias.y * slope * s.w;
    v_shadow = s.xyz / s.w;
}
"""

DAY_FRAG = """#version 130
uniform struct { vec4 color; vec4 position; sampler2DShadow shadowMap;
                 mat4 shadowViewMatrix; } p3d_LightSource[2];
uniform struct { vec4 color; float density; float start; float end; float scale; } p3d_Fog;
in vec4 v_lit;
in vec3 v_shade;
in vec3 v_shadow;
in vec3 v_eye;
out vec4 o_color;
void main() {
    vec3 s = v_shadow;
    // A surface turned from the sun is lit alike either way (v_lit == v_shade): its lookup
    // makes no difference, so none of acne either.
    float lit = 1.0;
    if (s.x > 0.0 && s.x < 1.0 && s.y > 0.0 && s.y < 1.0) {  // on the map
        lit = texture(p3d_LightSource[0].shadowMap, s);
    }
    float d = length(v_eye) * p3d_Fog.density;  // the haze, as in the shader above
    o_color = vec4(mix(p3d_Fog.color.rgb, mix(v_shade, v_lit.rgb, lit), exp(-d * d)), v_lit.a);
}
"""


def _v4(c: tuple[float, float, float]) -> Vec4:
    return Vec4(c[0], c[1], c[2], 1.0)


class SunRig:
    """The lights of a world made by ``render.world.build_world`` ("sun", "sky-fill" and
    "ambient" under its "lights" node), driven by the sun's position.

    ``shaded`` is the node the shadow shader goes on (the world); ``fog`` is the haze, whose
    colour follows the sky's horizon; ``extent`` and ``top`` bound where shadows fall and how
    tall the casters are.
    """

    def __init__(self, world: NodePath, quality: Quality, fog: Fog | None = None,
                 extent: Extent = (-1000.0, -1000.0, 1000.0, 1000.0),
                 top: float = 100.0) -> None:
        self.quality: Quality = quality
        self.preset = PRESETS[quality]
        self.world = world
        self.fog = fog
        self.extent = extent
        self.top = top
        lights = world.find("lights")
        self.sun = lights.find("sun")
        self.fill = lights.find("sky-fill")
        self.ambient = lights.find("ambient")
        self.light = self.sun.node()
        assert isinstance(self.light, DirectionalLight)
        self.daylight: Daylight = daylight(45.0)
        self.position: SunPosition | None = None
        self.fit: ShadowFit | None = None
        self._last_render = -math.inf
        # The last view ``update`` fitted and its fit; the last fit's ground cover.
        self._view: tuple[object, ...] = ()
        self._wanted: ShadowFit | None = None
        self._cover: tuple[object, Extent] = (None, (0.0, 0.0, 0.0, 0.0))
        self.shadow_renders = 0
        """How many times the rig asked for the shadow map to be rendered."""
        self._buffer: GraphicsOutput | None = None
        self._drawing_since: int | None = None  # the frame the buffer was switched on in
        self._district = world.find("district")
        self._parts = [p for p in (self._district, world.find("ground-plane")) if not p.is_empty()]
        # The pavilions' models are lit as the city is (one vertex format, no textures), so
        # they take shadows too; labels and demos keep the fixed-function pipeline.
        self._parts += [m for m in world.find_all_matches("pavilions/pavilion-*/model-*")
                        if _shadeable(m)]
        self.shading: Shading = "all"
        """Where the shadow shader is drawn now (``shade``)."""
        self._shaded_tiles: tuple[int, ...] = ()  # the tile nodes ``shading`` was applied to
        # Those of them ``shading`` has been applied to: a tile streamed in is looked at once,
        # not all the view's hundreds again (about 0.5 ms a time in Python).
        self._tile_done: set[int] = set()
        if self.preset.shadows:
            # The sun first among the lights, so it is p3d_LightSource[0] in the shader.
            self.light.set_priority(10)
            self.fill.node().set_priority(0)
            self.light.set_shadow_caster(True, self.preset.map_size, self.preset.map_size)
            self.light.set_lens(OrthographicLens())
            # The shadow pass only needs depth: no shader (ours would sample the very map
            # being drawn), no lights, fog or textures. Overridden from above, so the world's
            # shader does not win; this cut a shadow-map draw several-fold on llvmpipe.
            self.light.set_initial_state(RenderState.make(
                ShaderAttrib.make_off(), LightAttrib.make_all_off(), FogAttrib.make_off(),
                TextureAttrib.make_all_off(), ColorWriteAttrib.make(ColorWriteAttrib.C_off),
                1000))
            self.light.set_camera_mask(SHADOW_CAMERA)  # flat layers are hidden from it
            # The city, the ground and the pavilions take the shader (untextured, so it
            # samples no texture); demos and labels keep the fixed-function pipeline and
            # their looks, and still cast shadows.
            # Two programs: by day the lean one (with soft shadows the full one, as its
            # penumbra is exact), from dusk on the one that draws lit windows (``set_sun``).
            self._night_shader = Shader.make(Shader.SL_GLSL, SHADER_VERT, SHADER_FRAG)
            self._day_shader = (self._night_shader if self.preset.soft
                                else Shader.make(Shader.SL_GLSL, DAY_VERT, DAY_FRAG))
            self._shader = self._day_shader
            for part in self._parts:
                part.set_shader(self._shader)
            world.set_shader_input("u_shadow_bias", (0.0, 0.0))
            world.set_shader_input("u_shadow_texel", 0.0)
            world.set_shader_input("u_night", 0.0)
            world.set_shader_input("u_schedule", Vec4(*schedule_levels(None)))

    @property
    def shadows(self) -> bool:
        """Whether this rig draws shadows."""
        return self.preset.shadows

    def set_sun(self, position: SunPosition, when: datetime | None = None) -> Daylight:
        """Light the world for the sun at ``position``; returns the moment's colours.

        The colours change at once; with shadows the sun's direction changes with the next
        shadow map (``update``), so the lighting and the shadows never disagree. ``when``
        says which windows are lit at night (mesh/glow.py's schedules, by the hour in
        Korea, wherever the moment was given); without it, those of an evening.
        """
        self.position = position
        light = daylight(position.elevation_deg)
        self.daylight = light
        self.light.set_color(_v4(light.sun))
        fill = self.fill.node()
        assert isinstance(fill, DirectionalLight)
        fill.set_color(_v4(light.fill))
        amb = self.ambient.node()
        assert isinstance(amb, AmbientLight)
        amb.set_color(_v4(light.ambient))
        if self.fog is not None:
            self.fog.set_color(_v4(light.horizon))
        if self.preset.shadows:
            self.world.set_shader_input("u_night", light.night)
            self._use(self._night_shader if light.night > 0.0 else self._day_shader)
            # People keep the hours of the city's clocks, not of the zone a moment was typed
            # in: `--time 13:00 --tz UTC` is 22:00 in Gwangju, a late evening.
            local = None if when is None else when.astimezone(SEOUL)
            hour = None if local is None else local.hour + local.minute / 60.0
            self.world.set_shader_input("u_schedule", Vec4(*schedule_levels(hour)))
        # The fill light comes from the sky opposite the sun, low (as before: 30 degrees).
        dx, dy, _ = position.direction
        flat = math.hypot(dx, dy)
        dx, dy = (dx / flat, dy / flat) if flat > 1e-3 else (0.0, 1.0)
        self.fill.set_pos(0, 0, 0)
        self.fill.look_at(Point3(dx, dy, -0.58))
        if not self.preset.shadows:
            self._aim(position.direction)
        return light

    def _use(self, shader: Shader) -> None:
        """Draw the shaded parts with ``shader`` from now on (where ``shading`` has any)."""
        if shader is self._shader:
            return
        self._shader = shader
        if self.shading != "none":
            for part in self._parts:
                part.set_shader(shader)

    def _aim(self, towards_sun: tuple[float, float, float]) -> None:
        """Point the (shadowless) sun's light along the sunlight."""
        x, y, z = towards_sun
        if z < 0.02:  # under the horizon the light is black; keep it shining downwards
            z = 0.02
        self.sun.set_pos(0, 0, 0)
        self.sun.look_at(Point3(-x, -y, -z))

    def attach(self, gsg: GraphicsStateGuardianBase) -> None:
        """Find the shadow buffer Panda3D made for the sun on ``gsg`` (after a frame); once
        found, switch it off after each frame that drew it."""
        self._settle()
        if self.preset.shadows and self._buffer is None:
            buffer = self.light.get_shadow_buffer(gsg)
            if buffer is not None:
                self._buffer = buffer
                # Once more with the fit in place, then only when the rig asks (``_apply``).
                self._draw_once()

    def _draw_once(self) -> None:
        """Draw the shadow map in the next frame only.

        By hand rather than ``GraphicsOutput.set_one_shot``: a one-shot set between two
        frames was seen to be dropped (the buffer inactive before the frame drew it), and
        after a one-shot ``set_active(True)`` alone drew nothing; a map left stale shows
        as shadows displaced from their buildings."""
        assert self._buffer is not None
        self._buffer.set_one_shot(False)
        self._buffer.set_active(True)
        self._drawing_since = ClockObject.get_global_clock().get_frame_count()

    def _settle(self) -> None:
        """Switch the shadow buffer off once a frame has drawn it (each frame ticks the
        global clock's frame count)."""
        if (self._buffer is not None and self._drawing_since is not None
                and ClockObject.get_global_clock().get_frame_count() > self._drawing_since):
            self._buffer.set_active(False)
            self._drawing_since = None

    def update(self, eye: tuple[float, float, float], rays: np.ndarray, now: float,
               force: bool = False) -> bool:
        """Fit the shadow camera to a view from ``eye`` whose frustum's corner rays are
        ``rays`` ((4, 3), world directions) and render the shadow map if the fit or the sun
        changed, no sooner than 1 / MAX_SHADOW_RENDERS_PER_SECOND seconds (``now``) after
        the last render unless ``force``. Returns True when a render was asked for."""
        if not self.preset.shadows or self.position is None:
            return False
        if not self.position.up:
            self.shade("all")  # the night's lit windows are the shader's
            return False  # no sunlight, no shadows: the map can stay as it is
        night = self.daylight.night > 0.0
        if eye[2] - self.top > self.preset.reach:
            # Every surface is farther than shadows are drawn (an overview of a big city):
            # the shadow map would fall on nothing seen, so by day the world is drawn as
            # ``low`` draws it. The sun's light is aimed by hand meanwhile; the next fit
            # within reach is new (``fit`` None), so the map is drawn again then.
            self.shade("all" if night else "none")
            self.fit = None
            self._aim(self.position.direction)
            return False
        # A still view and sun keep their fit: no numpy for it each frame (a fraction of a
        # millisecond, but a frame of a street view on llvmpipe is about 5 ms).
        view = (eye, rays.tobytes(), self.position.direction, self.extent, self.top)
        if view != self._view:
            pts = footprint(eye, rays, self.preset.reach)
            self._view = view
            self._wanted = fit_shadow(pts, self.extent, self.top, self.position.direction)
        wanted = self._wanted
        assert wanted is not None  # fitted above for the first view
        asked = False
        if wanted != self.fit and (
                force or now - self._last_render >= 1.0 / MAX_SHADOW_RENDERS_PER_SECOND):
            self._apply(wanted)
            self._last_render = now
            asked = True
        if self.fit is not None and self._cover[0] != (self.fit, self.top):
            self._cover = ((self.fit, self.top), ground_cover(self.fit, self.top))
        cover = self._cover[1] if self.fit is not None else None
        self.shade("all" if night or cover is None else cover)
        return asked

    def shade(self, shading: Shading) -> None:
        """Draw the shadow shader where ``shading`` says, the rest fixed-function.

        Fixed-function drawing lights and fogs a surface as the shader does where no shadow
        falls (the shader copies its light equation), at a fraction of the cost on a
        software rasteriser: issue 16's 185k-building city spent half of each frame of its
        start view in the shader, on tiles kilometres beyond any shadow. A box only acts on
        the streamed tiles (``render.streaming``, nodes named ``tile-<key>-<level>``): each
        that does not meet it is drawn fixed-function. Checked again when the tiles drawn
        change. Not at night (``shade("all")``): the lit windows are drawn by the shader.
        """
        if not self.preset.shadows:
            return
        tiles = [c for c in self._district.get_children() if c.get_name().startswith("tile-")]
        keys = tuple(c.get_key() for c in tiles)
        if shading == self.shading and keys == self._shaded_tiles:
            return
        if (shading == "none") != (self.shading == "none"):
            for part in self._parts:
                if shading == "none":
                    part.set_shader_off()
                else:
                    part.set_shader(self._shader)
        if shading != self.shading:
            self._tile_done = set()
        self.shading, self._shaded_tiles = shading, keys
        done = self._tile_done
        self._tile_done = set(keys)
        for tile, key in zip(tiles, keys, strict=True):
            if key in done:
                continue
            plain = False
            if not isinstance(shading, str):
                b = tile.get_bounds()
                if isinstance(b, BoundingSphere) and not b.is_empty():
                    c, r = b.get_center(), b.get_radius()
                    x0, y0, x1, y1 = shading
                    plain = (c.x + r < x0 or c.x - r > x1 or c.y + r < y0 or c.y - r > y1)
            # The tile's own attribute (a tile is drawn with its district's otherwise); it
            # stays with the node while the stream holds it out of the scene.
            if plain:
                tile.set_shader_off()
            elif tile.has_attrib(ShaderAttrib.get_class_type()):
                tile.clear_attrib(ShaderAttrib.get_class_type())

    def _apply(self, fit: ShadowFit) -> None:
        r, f, u = fit.basis
        o = fit.origin
        # Panda3D's row-vector convention: the rows are the images of x, y (forward) and z.
        self.sun.set_mat(Mat4(r[0], r[1], r[2], 0, f[0], f[1], f[2], 0,
                              u[0], u[1], u[2], 0, o[0], o[1], o[2], 1))
        lens = self.light.get_lens()
        lens.set_film_size(fit.film, fit.film)
        lens.set_near_far(0.0, fit.depth)
        texel = fit.texel(self.preset.map_size)
        # 1.5 texels off the surface along its normal, plus half a texel of depth: enough
        # against acne on walls half turned from the sun, small against peter-panning.
        self.world.set_shader_input("u_shadow_bias", (1.5 * texel, 0.5 * texel / fit.depth))
        self.world.set_shader_input(
            "u_shadow_texel", 1.0 / self.preset.map_size if self.preset.soft else 0.0)
        self.fit = fit
        self.shadow_renders += 1
        if self._buffer is not None:
            self._draw_once()


def _shadeable(node: NodePath) -> bool:
    """Whether the shader draws ``node``'s geometry as it is: every Geom under it has
    normals and colours per vertex and no texture (the shader samples none)."""
    found = False
    nodes = list(node.find_all_matches("**/+GeomNode"))
    for np_ in ([node] if node.node().is_geom_node() else []) + nodes:
        if np_.has_attrib(TextureAttrib.get_class_type()):
            return False
        geom_node = np_.node()
        assert isinstance(geom_node, GeomNode)
        for i in range(geom_node.get_num_geoms()):
            fmt = geom_node.get_geom(i).get_vertex_data().get_format()
            if (not fmt.has_column("normal") or not fmt.has_column("color")
                    or geom_node.get_geom_state(i).has_attrib(TextureAttrib.get_class_type())):
                return False
            found = True
    return found


def frustum_rays(camera: NodePath, lens: Lens, root: NodePath) -> np.ndarray:
    """The directions (4, 3) in ``root``'s frame of the rays through the corners of
    ``camera``'s view."""
    rays = []
    for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        near, far = Point3(), Point3()
        lens.extrude(Point2(x, y), near, far)
        a = root.get_relative_point(camera, near)
        b = root.get_relative_point(camera, far)
        rays.append((b.x - a.x, b.y - a.y, b.z - a.z))
    return np.asarray(rays, float)
