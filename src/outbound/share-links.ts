/**
 * Share links of Google Drive and Dropbox lead to a web page about the file; their direct-download
 * forms lead to the file itself. Any other link is used as given.
 */
export function directDownloadUrl(link: URL): URL {
  const host = link.hostname.toLowerCase();
  if (host === 'drive.google.com') {
    // /file/d/<id>/view (or /edit, /preview), and the older /open?id=<id>
    const id =
      /^\/file\/d\/([A-Za-z0-9_-]+)/.exec(link.pathname)?.[1] ??
      (link.pathname === '/open' ? link.searchParams.get('id') : null);
    if (id && /^[A-Za-z0-9_-]+$/.test(id)) {
      const direct = new URL('https://drive.google.com/uc');
      direct.searchParams.set('export', 'download');
      direct.searchParams.set('id', id);
      return direct;
    }
    return link;
  }
  if (host === 'www.dropbox.com' || host === 'dropbox.com') {
    const direct = new URL(link);
    direct.searchParams.set('dl', '1');
    return direct;
  }
  return link;
}
