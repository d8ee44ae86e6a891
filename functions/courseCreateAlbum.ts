import { loadCoversConfig, loadDatabaseConfig } from '../lib/config.js';
import { createAlbumWithReceivedCover } from '../lib/course/albums.js';
import { courseAlbumId, presentCourseError, toNewAlbum } from '../lib/course/contract.js';
import { parseCourseAlbumForm } from '../lib/course/form.js';
import { createCourseAlbumStore } from '../lib/course/store.js';
import { connectCoverStore } from '../lib/covers/store.js';
import { connectDatabase } from '../lib/db/database.js';
import { httpHandler } from '../lib/http/handler.js';
import { json } from '../lib/http/responses.js';
import { logger } from '../lib/observability/logger.js';

const albums = createCourseAlbumStore(connectDatabase(loadDatabaseConfig()));
const coversConfig = loadCoversConfig();
const covers = connectCoverStore(coversConfig);

/** POST /cs6650/albums: multipart `image` + `profile`; the image, judged here, becomes the album's cover. */
export const handler = httpHandler(
  async (event) => {
    const { profile, image } = await parseCourseAlbumForm(event, coversConfig.maxBytes);
    const album = await createAlbumWithReceivedCover(
      { albums, covers, log: logger },
      toNewAlbum(profile),
      image,
    );
    return json(200, { albumID: courseAlbumId(album), imageSize: String(image.length) });
  },
  { present: presentCourseError },
);
