// check.js - loads a trawl HTML report in the system Chromium (headless,
// through playwright-core) and checks it is a self-contained page that works:
// no console error, no page error, no request other than the file itself,
// charts present, a tenant row opening onto its evidence. Saves a screenshot.
//
//   node check.js REPORT.html SCREENSHOT.png [anonymised]
// Prints "ok <check>" / "FAIL <check>: why" lines; exit status 1 on failure.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
    const [report, shot, mode] = process.argv.slice(2);
    const url = 'file://' + path.resolve(report);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trawl-chromium-'));
    let failed = 0;
    const check = (name, ok, why) => {
        console.log(ok ? `ok ${name}` : `FAIL ${name}: ${why}`);
        if (!ok) failed++;
    };
    const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--no-first-run'],
        viewport: { width: 1300, height: 1000 },
    });
    try {
        const page = await ctx.newPage();
        const errors = [], requests = [];
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
        const resp = await page.goto(url, { waitUntil: 'load' });
        check('page loads', resp === null || resp.ok(), resp && resp.status());
        check('no console or page errors', errors.length === 0, errors.join(' | '));
        check('no external requests', requests.length === 0, requests.join(' '));
        const title = await page.title();
        check('title', title === 'trawl campaign report', title);
        const svgs = await page.locator('svg').count();
        check('charts (inline SVG)', svgs >= 3, `${svgs} svg elements`);
        const bars = await page.locator('svg rect').count();
        check('chart bars drawn', bars > 10, `${bars} rects`);
        const headline = await page.locator('p.headline').first().innerText();
        check('headline', /organisations? targeted in \d+ countr/.test(headline), headline);
        await page.screenshot({ path: shot, fullPage: false });
        check('screenshot saved', fs.statSync(shot).size > 10000, 'too small');
        if (mode === 'anonymised') {
            // groups instead of tenants, and no evidence paths
            const groups = await page.locator('text=Tenants by sector and country').count();
            check('anonymised group table', groups > 0, 'no group table');
            const body = await page.locator('body').innerText();
            check('no tenant evidence paths', !/\.log:\d+|\.jsonl?:\d+/.test(body), 'a path:line');
        } else {
            // drill down: open the first tenant and find a path:line in its evidence
            const first = page.locator('section.campaign table details').first();
            await first.locator('summary').click();
            const open = await first.evaluate((d) => d.open);
            const evidence = await first.locator('li').first().innerText();
            check('tenant row opens onto evidence', open && /:\d+/.test(evidence), evidence);
        }
    } finally {
        await ctx.close();
        fs.rmSync(profile, { recursive: true, force: true });
    }
    console.log(`html: ${failed ? 'failures' : 'all good'}`);
    process.exit(failed ? 1 : 0);
}

main().catch((e) => {
    console.log(`FAIL browser: ${e && e.message ? e.message.split('\n')[0] : e}`);
    process.exit(1);
});
