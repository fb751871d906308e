// A tile-less map: points drawn as SVG from their coordinates (equirectangular, scaled by
// cos(latitude)) over a 250 m grid.
export interface Pt {
  lat: number;
  lng: number;
}
export interface Mark extends Pt {
  key: string;
  kind: string;
  label: string;
}

export function PointsMap({ marks, label, route }: { marks: Mark[]; label: string; route?: [Pt, Pt][] }) {
  const W = 320;
  const H = 220;
  const pad = 24;
  const pts: Pt[] = marks.length ? marks : [{ lat: 41.3111, lng: 69.2797 }];
  const k = Math.cos((pts[0].lat * Math.PI) / 180);
  const xs = pts.map((p) => p.lng * k);
  const ys = pts.map((p) => p.lat);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.005);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const scale = (Math.min(W, H) - 2 * pad) / span;
  const proj = (p: Pt) => [W / 2 + (p.lng * k - cx) * scale, H / 2 - (p.lat - cy) * scale] as const;
  const grid = 0.00225 * scale;
  const lines = [];
  if (grid > 6) {
    for (let x = (W / 2) % grid; x < W; x += grid) lines.push(<line key={'x' + x} x1={x} y1={0} x2={x} y2={H} />);
    for (let y = (H / 2) % grid; y < H; y += grid) lines.push(<line key={'y' + y} x1={0} y1={y} x2={W} y2={y} />);
  }
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="map">
      <rect width={W} height={H} className="ground" />
      <g className="streets">{lines}</g>
      {route?.map(([a, b], i) => {
        const [x1, y1] = proj(a);
        const [x2, y2] = proj(b);
        return <line key={i} className="route" x1={x1} y1={y1} x2={x2} y2={y2} />;
      })}
      {marks.map((m) => {
        const [x, y] = proj(m);
        return (
          <g key={m.key} className={m.kind} data-testid={`map-${m.kind}`}>
            <circle cx={x} cy={y} r={7} />
            <text x={x + 10} y={y + 4}>{m.label}</text>
          </g>
        );
      })}
    </svg>
  );
}
