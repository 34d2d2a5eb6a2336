export function Cover({
  src,
  color,
  size = 40,
  alt = '',
}: {
  src: string | null;
  color: string;
  size?: number;
  alt?: string;
}) {
  return (
    <span className="cover" style={{ width: size, height: size, backgroundColor: color }}>
      {src && (
        <img src={src} alt={alt} loading="lazy" draggable={false} onError={(e) => (e.currentTarget.hidden = true)} />
      )}
    </span>
  );
}
