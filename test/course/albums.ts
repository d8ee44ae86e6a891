/** The album API's view of an album created through the course contract, found by its artist and title. */
export async function nativeAlbum(apiUrl: string, artist: string, title: string) {
  let cursor: string | null = null;
  do {
    const query: string = `artist=${encodeURIComponent(artist)}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await (await fetch(`${apiUrl}/albums?${query}`)).json()) as {
      items: Array<{ albumId: string; title: string; year: number | null; cover: Record<string, unknown> }>;
      nextCursor: string | null;
    };
    const album = page.items.find((item) => item.title === title);
    if (album) return album;
    cursor = page.nextCursor;
  } while (cursor);
  throw new Error(`No album ${artist} — ${title} in the album API`);
}
