// serve.js - the dashboard of `trawl serve` in the system Chromium (headless,
// fresh profile, through playwright-core): the campaign list, a campaign page
// and a tenant page with a drill-down to the source record. Every figure the
// page shows is compared with the JSON the API gives for it; the page must
// log no console error, raise no page error, request nothing but its own
// server, and break no content-security-policy rule. Saves screenshots.
//
//   node serve.js URL SHOTDIR [TOKEN]
// Prints "ok <check>" / "FAIL <check>: why" lines; exit status 1 on failure.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

async function main() {
    const [base, shots, token] = process.argv.slice(2);
    const origin = new URL(base).origin;
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'trawl-serve-chromium-'));
    let failed = 0;
    const check = (name, ok, why) => {
        console.log(ok ? `ok ${name}` : `FAIL ${name}: ${why}`);
        if (!ok) failed++;
    };
    const apiGet = async (p) => {
        const r = await fetch(origin + p, { headers: token ? { Authorization: 'Bearer ' + token } : {} });
        if (!r.ok) throw new Error(`${p}: HTTP ${r.status}`);
        return r.json();
    };
    const ctx = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--no-first-run'],
        viewport: { width: 1300, height: 1000 },
    });
    const errors = [], foreign = [];
    try {
        const page = ctx.pages()[0] || await ctx.newPage();
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('request', (r) => { if (!r.url().startsWith(origin)) foreign.push(r.url()); });
        if (token)
            await page.addInitScript((t) => sessionStorage.setItem('trawl-token', t), token);
        const ready = (hash) => page.waitForSelector(`body[data-ready="${hash}"]`, { timeout: 30000 });
        const junk = async (where) => {
            const text = await page.textContent('body');
            const m = text.match(/\[object \w+\]|\bundefined\b|\bNaN\b/);
            check(`${where}: no [object …], undefined or NaN shown`, !m, m && m[0]);
        };
        const figure = async (key) =>
            (await page.textContent(`[data-figure="${key}"]`)).replace(/,/g, '');

        // -- the campaign list --
        await page.goto(base);
        await ready('/');
        const health = await apiGet('/api/health');
        const tenants = await apiGet('/api/tenants');
        // Campaigns come with the campaign engine; a build without it answers 404.
        const campsResp = await fetch(origin + '/api/campaigns',
            { headers: token ? { Authorization: 'Bearer ' + token } : {} });
        const camps = campsResp.status === 404 ? null : (await campsResp.json()).campaigns;
        if (!camps) console.log('skip: this build has no campaign engine (campaign checks not run)');
        check('home: detections equal /api/health', await figure('detections') === String(health.detections),
              `${await figure('detections')} vs ${health.detections}`);
        check('home: tenants equal /api/tenants', await figure('tenants') === String(tenants.total),
              `${await figure('tenants')} vs ${tenants.total}`);
        if (camps) {
            check('home: campaign count equals /api/campaigns', await figure('campaigns') === String(camps.length),
                  `${await figure('campaigns')} vs ${camps.length}`);
            const rows = await page.$$eval('#campaigns tbody tr', (trs) => trs.map((tr) =>
                [tr.dataset.campaign, ...[...tr.cells].map((c) => c.textContent.replace(/,/g, ''))]));
            check('home: one row per campaign', rows.length === camps.length, `${rows.length} rows`);
            const bad = camps.filter((c, i) => !rows[i] || rows[i][0] !== c.id ||
                rows[i][3] !== String(c.counts.tenants) || rows[i][5] !== String(c.counts.compromised));
            check('home: each row shows its campaign\'s tenants and compromises', bad.length === 0,
                  bad.map((c) => c.id).join(' '));
        }
        await junk('home');
        await page.screenshot({ path: path.join(shots, 'serve-campaigns.png'), fullPage: true });

        // -- the largest campaign --
        const camp = camps && camps.slice().sort((a, b) => b.counts.tenants - a.counts.tenants)[0];
        if (camps)
            check('the store has a campaign to open', !!camp, 'no campaign');
        let tenantId = null;
        if (camp) {
            await page.click(`#campaigns tr[data-campaign="${camp.id}"] a`);
            await ready('/campaign/' + camp.id);
            const one = (await apiGet('/api/campaigns/' + encodeURIComponent(camp.id))).campaign;
            for (const k of ['tenants', 'exploited', 'compromised', 'countries', 'sectors', 'detections'])
                check(`campaign: ${k} shown equals the API's`, await figure(k) === String(one.counts[k]),
                      `${await figure(k)} vs ${one.counts[k]}`);
            const trows = await page.$$eval('#campaign-tenants tbody tr',
                (trs) => trs.map((tr) => [tr.dataset.tenant, tr.dataset.stage]));
            check('campaign: the tenants table lists the API\'s tenants with their stages',
                  JSON.stringify(trows) === JSON.stringify(one.tenants.map((t) => [t.id, t.stage])),
                  `${trows.length} rows vs ${one.tenants.length}`);
            // the timeline: one group per day, bars adding up to the API's numbers
            const days = await page.$$eval('svg[data-chart="timeline"] g[data-day]', (gs) => gs.map((g) =>
                [g.dataset.day, g.querySelector('title').textContent]));
            const want = one.timeline.map((d) =>
                [d.day, `${d.day}\ntargeted: ${d.targeted}\nexploited: ${d.exploited}\ncompromised: ${d.compromised}`]);
            check('campaign: the timeline has the API\'s days and counts by stage',
                  JSON.stringify(days) === JSON.stringify(want), `${days.length} days vs ${want.length}`);
            const bars = await page.$$eval('svg[data-chart="timeline"] rect', (r) => r.length);
            check('campaign: the timeline draws bars', bars > 0, 'no bar');
            // countries and sectors: tenants per value, as the API's tenants give them
            for (const [chart, key] of [['countries', 'country'], ['sectors', 'sector']]) {
                const shown = await page.$$eval(`svg[data-chart="${chart}"] g[data-name]`,
                    (gs) => Object.fromEntries(gs.map((g) => [g.dataset.name, Number(g.dataset.value)])));
                const counts = {};
                for (const t of one.tenants) counts[t[key] || 'unknown'] = (counts[t[key] || 'unknown'] || 0) + 1;
                check(`campaign: the ${chart} chart counts the API's tenants`,
                      JSON.stringify(Object.entries(shown).sort()) === JSON.stringify(Object.entries(counts).sort()),
                      `${JSON.stringify(shown)} vs ${JSON.stringify(counts)}`);
            }
            await junk('campaign');
            await page.screenshot({ path: path.join(shots, 'serve-campaign.png'), fullPage: true });

            // a compromised (or the first) tenant of it
            tenantId = (one.tenants.find((x) => x.stage === 'compromised') || one.tenants[0]).id;
            await page.click(`#campaign-tenants tr[data-tenant="${tenantId}"] a`);
        } else {
            // no campaigns: the busiest tenant, from the tenants page
            tenantId = tenants.tenants.slice().sort((a, b) => b.detections - a.detections)[0].id;
            await page.click('nav a[href="#/tenants"]');
            await ready('/tenants');
            const shown = await page.$$eval('#tenants tbody tr', (trs) => trs.map((tr) =>
                [tr.dataset.tenant, tr.cells[6].textContent.replace(/,/g, '')]));
            check('tenants: the table lists the API\'s tenants and their detections',
                  JSON.stringify(shown) === JSON.stringify(tenants.tenants.map((x) => [x.id, String(x.detections)])),
                  `${shown.length} rows vs ${tenants.tenants.length}`);
            await page.click(`#tenants tr[data-tenant="${tenantId}"] a`);
        }
        {
            // -- the tenant page and a drill-down --
            const t = { id: tenantId };
            await ready('/tenant/' + t.id);
            const tj = (await apiGet('/api/tenants/' + encodeURIComponent(t.id))).tenant;
            const tl = await page.$$eval('svg[data-chart="timeline"] g[data-day]', (gs) => gs.length);
            check('tenant: the timeline has the API\'s days', tl === tj.timeline.length,
                  `${tl} vs ${tj.timeline.length}`);
            check('tenant: detections shown equal the API\'s', await figure('detections') === String(tj.detections),
                  `${await figure('detections')} vs ${tj.detections}`);
            const first = (await apiGet('/api/detections?limit=100&tenant=' + encodeURIComponent(t.id))).detections;
            const ids = await page.$$eval('#detections tbody tr[data-detection]', (trs) => trs.map((tr) => tr.dataset.detection));
            check('tenant: the first page lists the API\'s detections in order',
                  JSON.stringify(ids) === JSON.stringify(first.map((d) => d.id)), `${ids.length} vs ${first.length}`);
            const d = first.find((x) => x.line > 0);
            if (d) {
                await page.click(`#detections tr[data-detection="${d.id}"] a`);
                await page.waitForSelector('#detections tr.detail:not([hidden]) pre.src, #detections tr.detail:not([hidden]) .muted:not(:empty)');
                const src = (await apiGet('/api/detections/' + d.id)).source;
                const shownLine = await page.textContent('#detections tr.detail:not([hidden]) .src-line').catch(() => '');
                const match = await page.textContent('#detections tr.detail:not([hidden]) pre.src .match').catch(() => '');
                const rec = src.available ? src.records.find((r) => r.match) : null;
                check('drill-down: shows path:line of the detection', shownLine === `${d.path}:${d.line}`,
                      `"${shownLine}"`);
                check('drill-down: highlights the source record', !!rec && match.includes(rec.text),
                      `"${match.slice(0, 80)}"`);
            }
            await junk('tenant');
            await page.screenshot({ path: path.join(shots, 'serve-tenant.png') });
        }
        check('no console or page error', errors.length === 0, errors.join(' | '));
        check('no request outside the server', foreign.length === 0, foreign.join(' '));
    } finally {
        await ctx.close();
        fs.rmSync(profile, { recursive: true, force: true });
    }
    process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.log(`FAIL browser: ${e.stack || e}`); process.exit(1); });
