import { createAlbumStore } from '../lib/albums/store.js';
import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { createAlbumWithReceivedCover } from '../lib/course/albums.js';
import { courseAlbumId, parseProfile, presentCourseError, toNewAlbum } from '../lib/course/contract.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { UnsupportedMediaTypeError, ValidationError } from '../lib/errors.js';
import { rawBody } from '../lib/http/body.js';
import { httpHandler } from '../lib/http/handler.js';
import { parseMultipart } from '../lib/http/multipart.js';
import { json } from '../lib/http/responses.js';
import { logger } from '../lib/observability/logger.js';

const albums = createAlbumStore(connectDatabase(loadDatabaseConfig()));
const coversConfig = loadCoversConfig();
const covers = connectCoverStore(coversConfig);

/** POST /cs6650/albums: multipart `image` + `profile`; the image, judged here, becomes the album's cover. */
export const handler = httpHandler(
  async (event) => {
    const contentType = event.headers['content-type'] ?? '';
    if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
      throw new UnsupportedMediaTypeError(
        'Content-Type must be multipart/form-data with image and profile parts',
      );
    }
    const form = await parseMultipart(rawBody(event), contentType, coversConfig.maxBytes);
    const image = form.files.image;
    const profileText = form.fields.profile ?? form.files.profile?.data.toString('utf8');
    if (!image || profileText === undefined) {
      const missing = [!image && 'image', profileText === undefined && 'profile'].filter(Boolean) as string[];
      throw new ValidationError(
        `Missing part${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
        missing.map((field) => ({ field, message: 'is required' })),
      );
    }
    if (image.data.length === 0)
      throw new ValidationError('image is empty', [{ field: 'image', message: 'is empty' }]);
    const profile = parseProfile(profileText);

    const album = await createAlbumWithReceivedCover(
      { albums, covers, log: logger },
      toNewAlbum(profile),
      image.data,
    );
    return json(200, { albumID: courseAlbumId(album), imageSize: String(image.data.length) });
  },
  { present: presentCourseError },
);
