import { useEffect, useState, useSyncExternalStore } from 'react';
import { auth, connectivity, fallbackPosition } from './env';

export function useSession() {
  return useSyncExternalStore((l) => auth.subscribe(l), () => auth.current);
}

export function useConnectivity() {
  return useSyncExternalStore((l) => connectivity.subscribe(l), () => connectivity.state);
}

export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [r, setR] = useState(read);
  useEffect(() => {
    const on = () => setR(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

export const go = (path: string) => {
  location.hash = '#/' + path;
};

/** usePosition is the browser's position once it answers, else Tashkent's centre. */
export function usePosition() {
  const [p, setP] = useState(fallbackPosition);
  useEffect(() => {
    navigator.geolocation?.getCurrentPosition(
      (pos) => setP({ lat: pos.coords.latitude, lng: pos.coords.longitude }),
      () => undefined,
      { timeout: 5000 },
    );
  }, []);
  return p;
}

export function useDebounced<T>(v: T, ms: number): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const t = setTimeout(() => setD(v), ms);
    return () => clearTimeout(t);
  }, [v, ms]);
  return d;
}
