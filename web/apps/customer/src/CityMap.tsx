// A map with no tiles: the restaurant, the drop-off and the courier drawn as SVG from their
// coordinates (equirectangular, scaled by cos(latitude)), over a 250 m street grid.
export interface Pt {
  lat: number;
  lng: number;
}

export function CityMap({ restaurant, dropoff, driver, label }: { restaurant?: Pt; dropoff?: Pt; driver?: Pt; label: string }) {
  const pts = [restaurant, dropoff, driver].filter(Boolean) as Pt[];
  if (pts.length === 0) return null;
  const W = 320;
  const H = 220;
  const pad = 24;
  const k = Math.cos((pts[0].lat * Math.PI) / 180);
  const xs = pts.map((p) => p.lng * k);
  const ys = pts.map((p) => p.lat);
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 0.005);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const scale = (Math.min(W, H) - 2 * pad) / span;
  const proj = (p: Pt) => [W / 2 + (p.lng * k - cx) * scale, H / 2 - (p.lat - cy) * scale] as const;
  const grid = 0.00225 * scale; // ~250 m in degrees of latitude
  const lines = [];
  for (let x = (W / 2) % grid; x < W; x += grid) lines.push(<line key={'x' + x} x1={x} y1={0} x2={x} y2={H} />);
  for (let y = (H / 2) % grid; y < H; y += grid) lines.push(<line key={'y' + y} x1={0} y1={y} x2={W} y2={y} />);
  const mark = (p: Pt | undefined, cls: string, name: string) => {
    if (!p) return null;
    const [x, y] = proj(p);
    return (
      <g className={cls} data-testid={`map-${cls}`}>
        <circle cx={x} cy={y} r={8} />
        <text x={x + 11} y={y + 4}>{name}</text>
      </g>
    );
  };
  const route = restaurant && dropoff ? [proj(restaurant), proj(dropoff)] : null;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="map">
      <rect width={W} height={H} className="ground" />
      <g className="streets">{grid > 6 && lines}</g>
      {route && <line className="route" x1={route[0][0]} y1={route[0][1]} x2={route[1][0]} y2={route[1][1]} />}
      {mark(restaurant, 'restaurant', 'Restaurant')}
      {mark(dropoff, 'dropoff', 'You')}
      {mark(driver, 'driver', 'Courier')}
    </svg>
  );
}
