/**
 * The renderer's build: React 19 through Vite, from `renderer/` into `dist/renderer/`.
 *
 * `base: './'` keeps every URL relative, so the same files load from the browser-mode host and
 * from Electron's file/app protocol. The output has no inline script or style (the CSP allows
 * only 'self'), which is checked after each build.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Fails the build if index.html ends up with inline script or style, which the CSP would block. */
function noInlineCode(): Plugin {
  return {
    name: 'control-room:no-inline-code',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'asset' || !file.fileName.endsWith('.html')) continue;
        const html = String(file.source);
        const inlineScript = /<script(?![^>]*\bsrc=)[^>]*>\s*\S/i.test(html);
        const inlineStyle = /<style[\s>]|\sstyle=["']/i.test(html);
        if (inlineScript || inlineStyle) {
          this.error(`${file.fileName} has inline ${inlineScript ? 'script' : 'style'}; the CSP allows only files.`);
        }
      }
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: './',
  publicDir: 'public',
  plugins: [react(), noInlineCode()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
    // The Logs area (xterm.js) is a lazily loaded chunk of about 0.5 MB; that is expected.
    chunkSizeWarningLimit: 1024,
    // Small assets would otherwise be inlined as data: URLs; keep them as files ('self').
    assetsInlineLimit: 0,
  },
});
