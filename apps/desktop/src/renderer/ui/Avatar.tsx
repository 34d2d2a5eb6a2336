import { initial, nameHue } from '../lib/format.js';

export function Avatar({ name, online, size = 36 }: { name: string; online?: boolean | undefined; size?: number }) {
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, ['--hue' as string]: String(nameHue(name)) }}
      aria-hidden="true"
    >
      {initial(name)}
      {online !== undefined && <span className={online ? 'presence online' : 'presence offline'} />}
    </span>
  );
}
