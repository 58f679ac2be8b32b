import { describe, expect, it } from 'vitest';
import { directDownloadUrl } from '../../src/outbound/share-links.js';

const direct = (link: string) => directDownloadUrl(new URL(link)).href;

/** Share links rewritten to their direct-download forms; nothing is fetched here. */
describe('directDownloadUrl', () => {
  it('turns Google Drive share links into their download form', () => {
    const expected = 'https://drive.google.com/uc?export=download&id=1AbC-d_EF';
    expect(direct('https://drive.google.com/file/d/1AbC-d_EF/view?usp=sharing')).toBe(expected);
    expect(direct('https://drive.google.com/file/d/1AbC-d_EF/view')).toBe(expected);
    expect(direct('https://drive.google.com/file/d/1AbC-d_EF/preview')).toBe(expected);
    expect(direct('https://drive.google.com/open?id=1AbC-d_EF')).toBe(expected);
  });

  it('asks Dropbox for the file instead of its page', () => {
    expect(direct('https://www.dropbox.com/s/abc123/ad.mp4?dl=0')).toBe(
      'https://www.dropbox.com/s/abc123/ad.mp4?dl=1',
    );
    expect(direct('https://www.dropbox.com/scl/fi/xyz/ad.mp4?rlkey=k&dl=0')).toBe(
      'https://www.dropbox.com/scl/fi/xyz/ad.mp4?rlkey=k&dl=1',
    );
    expect(direct('https://dropbox.com/s/abc123/ad.mp4')).toBe('https://dropbox.com/s/abc123/ad.mp4?dl=1');
  });

  it('leaves every other link as it is', () => {
    for (const link of [
      'https://cdn.example.com/ads/spring.mp4?token=x',
      'https://drive.google.com/drive/folders/abc',
      'https://docs.google.com/file/d/abc/view',
      'http://dropbox.com.example.net/s/a.mp4?dl=0',
    ]) {
      expect(direct(link)).toBe(new URL(link).href);
    }
  });
});
