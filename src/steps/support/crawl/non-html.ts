/** Extensions of files that are not web pages: documents, pictures, archives, media, fonts, data. */
const NOT_PAGES = new Set(
  'pdf doc docx xls xlsx ppt pptx odt ods odp rtf epub png jpg jpeg gif webp svg ico bmp tif tiff avif heic zip gz tgz bz2 xz 7z rar tar dmg exe msi deb rpm apk iso mp3 wav ogg flac m4a aac mp4 m4v mov avi mkv webm wmv woff woff2 ttf otf eot css js mjs json xml csv txt'.split(' '),
);

/** Whether a URL names a file that is not a page, by its extension. */
export function isNonHtmlUrl(url: URL): boolean {
  return NOT_PAGES.has(extension(url));
}

/** The extension of the URL's file name, lower-cased; '' when it has none. */
export function extension(url: URL): string {
  const dot = url.pathname.lastIndexOf('.');
  if (dot === -1 || dot < url.pathname.lastIndexOf('/')) return '';
  return url.pathname.slice(dot + 1).toLowerCase();
}

/** Whether a response's Content-Type is a page; a response without one counts as a page. */
export function isHtmlContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}
