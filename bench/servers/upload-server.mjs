// One upload server for `pnpm bench upload`: node upload-server.mjs <variant> <dir>
//   multer-disk   bare multer DiskStorage (the peer: no hash, no checks)
//   handwritten   multer with the one-pass write + sha256 engine a careful user writes today
//   upload        express-guard's upload(): name policy, one pass of write + sha256 + sniff + scan
//   discard       reads the body and throws it away: Node's own memory floor for a large request
// Each stored file is removed right after the response, so the disk does not fill across rounds.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import multer from 'multer';
import { upload } from '@guard-suite/express-guard';
import { reportReady } from './_ready.mjs';

const [variant, dir] = process.argv.slice(2);
const MAX_BYTES = 256 * 1024 * 1024;

/** What a careful user writes today: hash in a Transform, pipe into a write stream, one pass. */
const handwrittenStorage = {
  _handleFile(_req, file, callback) {
    const path = join(dir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    const hasher = new Transform({
      transform(chunk, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    pipeline(file.stream, hasher, createWriteStream(path, { mode: 0o600 })).then(
      () => callback(null, { path, size, sha256: hash.digest('hex') }),
      callback,
    );
  },
  _removeFile(_req, file, callback) {
    rm(file.path, { force: true }).then(() => callback(null), callback);
  },
};

const app = express();
if (variant === 'upload') {
  const uploads = upload({
    dir,
    maxFileBytes: MAX_BYTES,
    allowedExtensions: ['.pdf'],
    minFreeDiskBytes: 0,
  });
  app.post('/upload', uploads.single('file'), (req, res) => {
    res.json({ size: req.upload.size, sha256: req.upload.sha256 });
    void rm(join(dir, req.upload.storedName), { force: true });
    void rm(join(dir, `${req.upload.storedName}.meta.json`), { force: true });
  });
} else if (variant === 'discard') {
  app.post('/upload', (req, res) => {
    req.resume();
    req.on('end', () => res.json({}));
  });
} else {
  const storage =
    variant === 'handwritten' ? handwrittenStorage : multer.diskStorage({ destination: dir });
  const parse = multer({ storage, limits: { fileSize: MAX_BYTES } }).single('file');
  app.post('/upload', parse, (req, res) => {
    res.json({ size: req.file.size, sha256: req.file.sha256 });
    void rm(req.file.path, { force: true });
  });
}
app.use((err, _req, res, _next) => res.status(500).json({ error: String(err) }));

let idleRssBytes = 0;
const server = app.listen(0, '127.0.0.1', () => {
  // The peak before any upload: what the process costs with its modules loaded.
  idleRssBytes = process.resourceUsage().maxRSS * 1024;
  process.on('message', (message) => {
    if (message === 'rss')
      process.send({ maxRssBytes: process.resourceUsage().maxRSS * 1024, idleRssBytes });
  });
  reportReady(server);
});
