import assert from 'node:assert/strict';
import { contentSecurityPolicy, markup, SafeHtml } from './html.ts';

describe('auth/authorize/html: escaped pages and their policy', () => {
  it('escapes every interpolated string, not the markup built by markup`...`', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    assert.equal(
      markup`<p title="${'"x\''}">${inner}${['&', new SafeHtml('<br>')]}</p>`.text,
      '<p title="&quot;x&#39;"><b>&lt;i&gt;</b>&amp;<br></p>',
    );
  });

  it("allows form posts to the app's redirect target: its origin, or an app scheme", () => {
    assert.match(contentSecurityPolicy('https://app.example:8443/cb?x=1'), /form-action 'self' https:\/\/app\.example:8443;/);
    assert.match(contentSecurityPolicy('com.example.app:/oauth'), /form-action 'self' com\.example\.app:;/);
    assert.match(contentSecurityPolicy(), /form-action 'self';/);
  });
});
