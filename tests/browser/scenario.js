#!/usr/bin/env node
/*
 * scenario.js: madi's web interface in headless Chromium (Debian's, through playwright-core:
 * no browser is downloaded). tests/e2e/browser.sh starts the server and sets:
 *
 *   MADI_URL          the server, started with --public (http://127.0.0.1:PORT)
 *   MADI_PASSWORD     the password of every account below
 *   MADI_OPERATOR     an operator's data officer of organisation MADI_ORG
 *   MADI_ORG          that organisation's code
 *   MADI_AREA         an area code of the register, for the uploaded rows
 *   MADI_REVIEWER, MADI_ANALYST, MADI_ADMIN   accounts of those roles
 *   MADI_CASEWORKER   a case worker with at least one case assigned (optional)
 *   MADI_EXPECT_OVERDUE  set when one of those cases has an overdue referral
 *   ARTEFACTS         where screenshots go
 *   CHROMIUM          the browser (default /usr/bin/chromium)
 *
 * Each step asserts something that can fail; the last line is "N passed, N failed".
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const env = process.env;
const BASE = (env.MADI_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const PW = env.MADI_PASSWORD || 'correct horse battery';
const ORG = env.MADI_ORG || 'OP-02';
const AREA = env.MADI_AREA || 'RM0101';
const ART = env.ARTEFACTS || path.join(process.cwd(), 'browser-artefacts');
const ASSETS = env.MADI_ASSETS || path.join(__dirname, '..', '..', 'src', 'server', 'assets');
fs.mkdirSync(ART, { recursive: true });

let passed = 0, failed = 0;
const problems = [];

function ok(cond, what) {
    if (cond) {
        passed++;
        console.log('ok - ' + what);
    } else {
        failed++;
        console.log('not ok - ' + what);
    }
    return cond;
}

function digits(s) {
    const d = String(s || '').replace(/[^0-9]/g, '');
    return d === '' ? NaN : Number(d);
}

async function shot(page, name) {
    await page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true });
}

/* A page whose console errors (a CSP violation among them) and crashes are counted. */
async function newPage(browser, opts) {
    const ctx = await browser.newContext(Object.assign({ locale: 'en-GB',
                                                         viewport: { width: 1280, height: 900 } },
                                                       opts || {}));
    const page = await ctx.newPage();
    page.on('console', function (m) {
        if (m.type() === 'error' && !/status of 4\d\d/.test(m.text()))
            problems.push('console: ' + m.text());
    });
    page.on('pageerror', function (e) { problems.push('page error: ' + e.message); });
    return { ctx, page };
}

async function login(page, user) {
    await page.goto(BASE + '/#/login');
    await page.waitForSelector('#login-user');
    await page.fill('#login-user', user);
    await page.fill('#login-password', PW);
    await page.click('form button[type=submit]');
    await page.waitForSelector('#logout:not([hidden])', { timeout: 15000 });
}

async function logout(page) {
    await page.click('#logout');
    await page.waitForSelector('#login-user');
}

/* The text of one cell of a dashboard table (dataset id, cell codes joined by |). */
async function cellText(page, table, cell) {
    const loc = page.locator('table[data-table="' + table + '"] td[data-cell="' + cell + '"]');
    if (!(await loc.count()))
        return null;
    return (await loc.first().textContent()).trim();
}

async function dashboardReady(page) {
    await page.waitForSelector('.view-dashboard .kpi-grid, .view-dashboard div.error',
                               { timeout: 60000 });
}

/* The catalogues: the same keys in both, a French string for every English one, and every key
 * the page uses present. */
function catalogueChecks() {
    const en = JSON.parse(fs.readFileSync(path.join(ASSETS, 'i18n', 'en.json'), 'utf8'));
    const fr = JSON.parse(fs.readFileSync(path.join(ASSETS, 'i18n', 'fr.json'), 'utf8'));
    const ek = Object.keys(en).sort(), fk = Object.keys(fr).sort();
    ok(JSON.stringify(ek) === JSON.stringify(fk), 'en.json and fr.json have the same ' + ek.length +
       ' keys');
    const same = ek.filter(function (k) { return en[k] === fr[k]; });
    ok(same.length < ek.length / 10, 'French is a translation (' + same.length +
       ' strings the same as English, fewer than a tenth)');
    const src = fs.readFileSync(path.join(ASSETS, 'app.js'), 'utf8') +
        fs.readFileSync(path.join(ASSETS, 'index.html'), 'utf8');
    const used = new Set();
    src.replace(/\bt\('([a-z_.0-9 ]+[a-z0-9_])'/g, function (m, k) { used.add(k); });
    src.replace(/data-i18n(?:-aria)?="([a-z_.]+)"/g, function (m, k) { used.add(k); });
    const plural = new Set();
    src.replace(/\btn\('([a-z_.0-9]+)'/g, function (m, k) { plural.add(k); });
    const missing = [...used].filter(function (k) { return !(k in en); })
        .concat([...plural].filter(function (k) {
            return !((k + '.one') in en && (k + '.other') in en);
        }));
    ok(missing.length === 0, 'every message the page uses is in the catalogue' +
       (missing.length ? ' (missing: ' + missing.join(', ') + ')' : ''));
    /* every stable error code the server answers with has its translated line */
    const srvDir = path.join(ASSETS, '..');
    const codes = new Set();
    for (const f of fs.readdirSync(srvDir))
        if (/\.c$/.test(f))
            fs.readFileSync(path.join(srvDir, f), 'utf8')
                .replace(/resp_error\(rs, \d+, "([a-z_]+)"/g, function (m, c) { codes.add(c); });
    const untranslated = [...codes].filter(function (c) { return !(('error.' + c) in en); });
    ok(codes.size > 5 && untranslated.length === 0, 'every error code of the server (' +
       codes.size + ') has a message in the catalogue' +
       (untranslated.length ? ' (missing: ' + untranslated.join(', ') + ')' : ''));
    const html = fs.readFileSync(path.join(ASSETS, 'index.html'), 'utf8');
    ok(!/<script>|<script [^>]*>[^<\s]|\sstyle=|\son[a-z]+=/i.test(html) && !/<style/i.test(html),
       'index.html has no inline script, style or handler (the CSP allows none)');
}

/* Text whose colour has less than 4.5:1 contrast on the background behind it (WCAG 1.4.3),
 * for every visible element holding text; disabled controls are exempt. */
async function lowContrast(page) {
    return page.evaluate(function () {
        function rgb(s) {
            const m = s.match(/rgba?\(([^)]+)\)/);
            if (!m)
                return null;
            const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
            return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
        }
        function lum(c) {
            const f = function (v) {
                v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
            };
            return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
        }
        function bg(el) {
            for (let e = el; e; e = e.parentElement) {
                const c = rgb(getComputedStyle(e).backgroundColor);
                if (c && c.a > 0.5)
                    return c;
            }
            return { r: 255, g: 255, b: 255, a: 1 };
        }
        const bad = [];
        const all = document.querySelectorAll('body *');
        for (const el of all) {
            if (el.closest('[disabled], dialog:not([open]), .visually-hidden, svg'))
                continue;
            const own = Array.prototype.some.call(el.childNodes, function (n) {
                return n.nodeType === 3 && n.textContent.trim();
            });
            if (!own || !el.getClientRects().length)
                continue;
            const st = getComputedStyle(el);
            if (st.visibility === 'hidden' || parseFloat(st.opacity) < 1)
                continue;
            const fg = rgb(st.color), b = bg(el);
            const l1 = lum(fg), l2 = lum(b);
            const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
            if (ratio < 4.5)
                bad.push(el.tagName.toLowerCase() + '.' + el.className + ' "' +
                         el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
        }
        return bad;
    });
}

async function contrastOk(page, view) {
    const bad = await lowContrast(page);
    ok(bad.length === 0, view + ': every text has a contrast of 4.5:1 or more' +
       (bad.length ? ' (' + bad.slice(0, 4).join('; ') + ')' : ''));
    const unlabelled = await page.evaluate(function () {
        return Array.prototype.filter.call(
            document.querySelectorAll('input, select, textarea'),
            function (el) {
                if (el.type === 'hidden' || el.closest('dialog:not([open])'))
                    return false;
                return !(el.labels && el.labels.length) && !el.getAttribute('aria-label') &&
                    !el.getAttribute('aria-labelledby');
            }).map(function (el) { return el.id || el.name || el.tagName; });
    });
    ok(unlabelled.length === 0, view + ': every control has a label' +
       (unlabelled.length ? ' (not: ' + unlabelled.join(', ') + ')' : ''));
}

function csv(rows) {
    const head = 'session_id,date,organisation,area,method,participants,girls,boys,women,men';
    return [head].concat(rows.map(function (r) { return r.join(','); })).join('\n') + '\n';
}

async function main() {
    catalogueChecks();
    const browser = await chromium.launch({
        executablePath: env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
    });
    try {
        await run(browser);
    } finally {
        await browser.close();
    }
}

async function run(browser) {
    const TABLE = 'eore.sessions-method';
    const RETURN_COMMENT = 'Please give the disability breakdown for this session.';
    const PTABLE = 'eore.participants-sex-age';
    let secondId = 0;

    /* ---- the analyst's figure before anything is approved ---- */
    let { ctx, page } = await newPage(browser);
    await page.goto(BASE + '/');
    await page.waitForSelector('#login-user');
    ok(await page.locator('label[for="login-user"]').count() === 1 &&
       await page.locator('label[for="login-password"]').count() === 1,
       'login page: both inputs are labelled');
    ok(await page.locator('header').count() === 1 && await page.locator('main').count() === 1 &&
       await page.locator('nav').count() === 1, 'landmarks: header, nav, main');
    await contrastOk(page, 'login');
    await shot(page, '01-login');
    await page.fill('#login-user', env.MADI_ANALYST || 'analyst');
    await page.fill('#login-password', 'not the password at all');
    await page.click('form button[type=submit]');
    await page.waitForSelector('#login-error [data-code]');
    ok(await page.locator('#login-error[aria-live]').count() === 1 &&
       (await page.textContent('#login-error')).length > 10,
       'a wrong password is announced in an aria-live region');
    await shot(page, '02-login-failed');

    await login(page, env.MADI_ANALYST || 'analyst');
    await dashboardReady(page);
    ok(await page.locator('h1').textContent() === 'Dashboard', 'analyst lands on the dashboard');
    const periodText = await page.locator('.dash-intro .period').textContent();
    const period = (periodText.match(/\d{4}/) || [String(new Date().getFullYear())])[0];
    const before = digits(await cellText(page, TABLE, '_T'));
    const beforeInter = digits(await cellText(page, TABLE, 'interpersonal'));
    ok(Number.isFinite(before) && Number.isFinite(beforeInter),
       'dashboard shows risk education sessions in ' + period + ' (' + before + ', of which ' +
       beforeInter + ' face to face)');
    const pBefore = digits(await cellText(page, PTABLE, '_T|_T'));
    ok(await page.locator('.kpi').count() > 10, 'KPI cards shown');
    ok(await page.locator('.kpi .kpi-target').count() > 0, 'KPI cards show their target state');
    const imgs = page.locator('img.chart');
    const nimg = await imgs.count();
    let alts = 0;
    for (let i = 0; i < nimg; i++)
        if (((await imgs.nth(i).getAttribute('alt')) || '').length > 10)
            alts++;
    ok(nimg > 0 && alts === nimg, 'every chart (' + nimg + ') has a text alternative');
    const firstChart = await imgs.first().getAttribute('src');
    const chartRes = await page.request.get(BASE + firstChart);
    ok(chartRes.ok() && /image\/svg\+xml/.test(chartRes.headers()['content-type'] || ''),
       'a chart is an SVG from the server (' + firstChart + ')');
    await imgs.first().scrollIntoViewIfNeeded();
    await page.waitForFunction(function () {
        const i = document.querySelector('img.chart');
        return i && i.complete && i.naturalWidth > 0;
    }, null, { timeout: 20000 }).then(function () { ok(true, 'the chart image loads'); },
                                      function () { ok(false, 'the chart image loads'); });
    ok(await page.locator('th[scope]').count() > 20 &&
       await page.locator('table.data th:not([scope])').count() === 0,
       'table headers carry scope');
    const fmts = await page.locator('a[data-format]').evaluateAll(function (as) {
        return as.map(function (a) { return a.getAttribute('data-format'); });
    });
    ok(['html', 'md', 'json', 'csv', 'xlsx'].every(function (f) { return fmts.indexOf(f) >= 0; }),
       'download links for every report format');
    const csvRes = await page.request.get(BASE + await page.getAttribute('a[data-format="csv"]',
                                                                            'href'));
    ok(csvRes.ok(), 'the CSV report downloads');
    ok(await page.locator('section h2', { hasText: 'scorecard' }).count() === 1,
       'the WPS scorecard is shown');
    await contrastOk(page, 'dashboard');
    await shot(page, '03-dashboard-before');
    await page.goto(BASE + '/#/quality');
    await page.waitForSelector('.view-quality table, .view-quality .ok-line, .view-quality div.error');
    ok(await page.locator('.view-quality div.error').count() === 0, 'the data-quality view loads');
    await shot(page, '04-quality');
    await logout(page);

    /* ---- the operator: a file with an error, then the fixed one ---- */
    const rows = [
        ['T9-' + period + '-0001', period + '-06-10', ORG, AREA, 'interpersonal', '40', '10', '10',
         '12', '8'],
        ['T9-' + period + '-0002', period + '-02-30', ORG, AREA, 'interpersonal', '25', '5', '5',
         '8', '7']
    ];
    const badLine = 3, badCol = 2;
    const dir = fs.mkdtempSync(path.join(ART, 'up-'));
    const bad = path.join(dir, 'eore-browser-test.csv');
    fs.writeFileSync(bad, csv(rows));
    await login(page, env.MADI_OPERATOR || 'operator');
    ok(await page.locator('h1').textContent() === 'Upload a file', 'operator lands on upload');
    ok(await page.locator('#navlist a[href="#/users"]').count() === 0 &&
       await page.locator('#navlist a[href="#/queue"]').count() === 0,
       'operator sees no accounts or review queue');
    await page.setInputFiles('#up-file', bad);
    await page.click('#up-submit');
    await page.waitForSelector('#up-result h2');
    const frow = page.locator('table.findings tr[data-line="' + badLine + '"][data-col="' + badCol +
                              '"]');
    ok(await frow.count() >= 1, 'the error is listed at line ' + badLine + ', column ' + badCol);
    if (await frow.count()) {
        const tds = await frow.first().locator('td').allTextContents();
        ok(tds[3].trim() === String(badLine) && tds[4].indexOf(String(badCol)) === 0,
           'the findings table shows line ' + badLine + ' and column ' + badCol + ' (' + tds[3] +
           ', ' + tds[4] + ')');
        ok(/02-30/.test(tds[6]), 'the finding says what is wrong: ' + tds[6].slice(0, 80));
    }
    const cell = page.locator('table.grid td.bad[data-line="' + badLine + '"][data-col="' + badCol +
                              '"]');
    ok(await cell.count() === 1 && /02-30/.test(await cell.textContent()),
       'the offending cell is highlighted in the preview grid');
    ok(await page.locator('#up-result [data-code="rejected"]').count() === 1,
       'the rejection is shown by its code');
    await contrastOk(page, 'upload with errors');
    await shot(page, '05-upload-errors');

    rows[1][1] = period + '-03-30';
    const good = path.join(dir, 'eore-browser-test-fixed.csv');
    fs.writeFileSync(good, csv(rows));
    await page.setInputFiles('#up-file', good);
    await page.click('#up-submit');
    await page.waitForSelector('#up-result h2');
    ok(await page.locator('#up-result .badge-state-draft').count() === 1,
       'the fixed file is kept as a draft');
    const subId = digits(await page.locator('#up-result dl.meta dd').first().textContent());
    await page.click('#sub-submit');
    await page.waitForSelector('#sub-submitted');
    ok(await page.locator('#up-result .badge-state-submitted').count() >= 1,
       'the draft is sent for review');
    await shot(page, '06-upload-submitted');
    /* a second file, which the reviewer will return */
    const second = path.join(dir, 'eore-browser-test-second.csv');
    fs.writeFileSync(second, csv([['T9-' + period + '-0003', period + '-07-01', ORG, AREA,
                                   'community', '30', '6', '6', '9', '9']]));
    await page.setInputFiles('#up-file', second);
    await page.click('#up-submit');
    await page.waitForSelector('#up-result h2');
    secondId = digits(await page.locator('#up-result dl.meta dd').first().textContent());
    await page.click('#sub-submit');
    await page.waitForSelector('#sub-submitted');
    await page.goto(BASE + '/#/submissions');
    await page.waitForSelector('.view-submissions table, .view-submissions .empty, .view-submissions div.error');
    ok(await page.locator('.view-submissions tr[data-state="submitted"]').count() >= 1 &&
       await page.locator('.view-submissions tr[data-state="invalid"]').count() >= 1,
       'the operator\'s list shows the submitted file and the one with errors');
    await shot(page, '07-submissions');
    await page.goto(BASE + '/#/dashboard');
    await dashboardReady(page);
    ok((await page.textContent('.dash-intro')).indexOf(ORG) >= 0 &&
       await page.locator('#dash-org').count() === 0,
       'the operator\'s dashboard is their organisation\'s, with no operator filter');
    await shot(page, '07b-operator-dashboard');
    await logout(page);

    /* ---- the reviewer approves (a link to the submission survives the login) ---- */
    await page.goto(BASE + '/#/submission/' + subId);
    await page.waitForSelector('#login-user');
    await page.fill('#login-user', env.MADI_REVIEWER || 'reviewer');
    await page.fill('#login-password', PW);
    await page.click('form button[type=submit]');
    await page.waitForSelector('#review-approve', { timeout: 15000 }).then(
        function () { ok(true, 'a link to a submission opens it after the login'); },
        function () { ok(false, 'a link to a submission opens it after the login'); });
    await page.goto(BASE + '/#/queue');
    await page.waitForSelector('.view-queue table, .view-queue .empty, .view-queue div.error');
    const qrow = page.locator('.view-queue tr[data-id="' + subId + '"]');
    ok(await qrow.count() === 1 &&
       /eore-browser-test-fixed\.csv/.test(await qrow.first().textContent()),
       'the submitted file (#' + subId + ') is in the reviewer\'s queue');
    await shot(page, '08-queue');
    await qrow.locator('a').click();
    await page.waitForSelector('#review-approve');
    await page.waitForSelector('#pv-h ~ dl, #pv-h ~ div.error', { timeout: 60000 });
    const pvRows = await page.locator('#pv-h ~ dl dd').nth(1).textContent().catch(function () {
        return '';
    });
    ok(digits(pvRows) === rows.length, 'the preview says approving adds ' + rows.length +
       ' rows (' + pvRows + ')');
    await contrastOk(page, 'review');
    await shot(page, '09-review');
    await page.click('#review-return');
    ok(await page.locator('#review-msg .error').count() === 1,
       'returning without a comment is refused in the page');
    await page.fill('#review-comment', 'Checked against the field reports.');
    await page.click('#review-approve');
    await page.waitForSelector('.view-submission .badge-state-approved', { timeout: 60000 });
    ok(true, 'the submission is approved');
    await shot(page, '10-approved');
    await page.goto(BASE + '/#/submission/' + secondId);
    await page.waitForSelector('#review-return');
    await page.fill('#review-comment', RETURN_COMMENT);
    await page.click('#review-return');
    await page.waitForSelector('.view-submission .badge-state-returned', { timeout: 60000 })
        .then(function () { ok(true, 'the second submission is returned with a comment'); },
              function () { ok(false, 'the second submission is returned with a comment'); });
    await logout(page);

    /* ---- the analyst sees the figure move ---- */
    await login(page, env.MADI_ANALYST || 'analyst');
    await dashboardReady(page);
    const after = digits(await cellText(page, TABLE, '_T'));
    const afterInter = digits(await cellText(page, TABLE, 'interpersonal'));
    ok(after === before + rows.length, 'sessions in ' + period + ': ' + before + ' + ' +
       rows.length + ' = ' + after);
    ok(afterInter === beforeInter + rows.length, 'face-to-face sessions: ' + beforeInter + ' + ' +
       rows.length + ' = ' + afterInter);
    const added = rows.reduce(function (s, r) { return s + Number(r[5]); }, 0);
    if (Number.isFinite(pBefore)) {
        const pAfter = digits(await cellText(page, PTABLE, '_T|_T'));
        ok(pAfter === pBefore + added, 'participants: ' + pBefore + ' + ' + added + ' = ' + pAfter);
    }
    await shot(page, '11-dashboard-after');

    /* split by a group: the key indicators by sex, a column per sex, the ones that cannot be
     * split listed apart (never a 0 in their place) */
    await page.selectOption('#dash-group', 'sex');
    await page.click('.filters button[type=submit]');
    await page.waitForSelector('#h-group', { timeout: 60000 });
    const heads = await page.locator('.by-group thead th').allTextContents();
    ok(heads.indexOf('female') > 0 && heads.indexOf('male') > 0 && heads[heads.length - 1] === 'total',
       'by group: a column for female, male and the total (' + heads.join(', ') + ')');
    ok(await page.locator('.by-group tbody tr').count() > 0 &&
       await page.locator('.by-group details li').count() > 0,
       'by group: indicators split by sex, and the shares that cannot be, listed apart');
    await shot(page, '11c-dashboard-by-sex');
    await page.selectOption('#dash-group', '');
    await page.click('.filters button[type=submit]');
    await dashboardReady(page);
    await page.emulateMedia({ media: 'print' });
    ok(!(await page.isVisible('#navlist')) && !(await page.isVisible('.filters')) &&
       await page.isVisible('table.data'), 'print: menus and filters hidden, tables kept');
    await page.pdf({ path: path.join(ART, '11b-dashboard-print.pdf') }).catch(function () {});
    await page.emulateMedia({ media: 'screen' });

    /* French */
    await page.selectOption('#lang', 'fr');
    await page.waitForFunction(function () { return document.documentElement.lang === 'fr'; });
    await dashboardReady(page);
    ok(await page.locator('h1').textContent() === 'Tableau de bord' &&
       (await page.textContent('#navlist')).indexOf('Qualité des données') >= 0 &&
       await page.locator('.kpi-value').count() > 0,
       'French: the page, its lang attribute and the menu switch');
    ok(/Période/.test(await page.textContent('.dash-intro')), 'French: the period line');
    await shot(page, '12-dashboard-fr');
    await page.selectOption('#lang', 'en');
    await page.waitForFunction(function () { return document.documentElement.lang === 'en'; });
    await logout(page);

    /* ---- admin: accounts ---- */
    if (env.MADI_ADMIN) {
        await login(page, env.MADI_ADMIN);
        await page.waitForSelector('.view-users table');
        ok(await page.locator('.view-users tr[data-user="' + env.MADI_OPERATOR + '"]').count() === 1,
           'the admin sees the accounts');
        await page.fill('#u-name', 'browser.made');
        await page.selectOption('#u-role', 'analyst');
        await page.fill('#u-password', 'another long passphrase');
        await page.click('.view-users form button[type=submit]');
        await page.waitForSelector('.view-users tr[data-user="browser.made"]', { timeout: 15000 })
            .then(function () { ok(true, 'the admin creates an account'); },
                  function () { ok(false, 'the admin creates an account'); });
        await contrastOk(page, 'accounts');
        await shot(page, '13-users');
        await logout(page);
    }

    /* ---- the case worker: cases, referrals, a record opened with a reason ---- */
    if (env.MADI_CASEWORKER) {
        await login(page, env.MADI_CASEWORKER);
        await page.waitForSelector('.view-cases table, .view-cases .empty, .view-cases div.error');
        const open = page.locator('button.open-case:not([disabled])');
        if (ok(await open.count() > 0, 'the case worker sees their cases')) {
            await shot(page, '14-cases');
            await open.first().focus();
            await page.keyboard.press('Enter');
            await page.waitForSelector('#dialog[open]');
            ok(await page.evaluate(function () { return document.activeElement.id; }) ===
               'case-reason', 'the dialog asks for a reason, focus inside it');
            for (let i = 0; i < 5; i++)
                await page.keyboard.press('Tab');
            ok(await page.evaluate(function () {
                return document.getElementById('dialog').contains(document.activeElement);
            }), 'Tab stays inside the dialog');
            await page.keyboard.press('Escape');
            ok(await page.locator('#dialog[open]').count() === 0, 'Escape closes the dialog');
            await open.first().click();
            await page.fill('#case-reason', 'follow-up of the referral');
            await page.click('#dialog-ok');
            await page.waitForSelector('#dialog table.record, #dialog-error:not(:empty)');
            const nrec = await page.locator('#dialog table.record tbody tr').count();
            ok(nrec > 0, 'the record opens after a reason (' + nrec + ' fields)');
            await shot(page, '15-case-open');
            await page.keyboard.press('Escape');
            await page.waitForSelector('#dialog[open]', { state: 'detached' }).catch(function () {});
            await page.waitForTimeout(100);
            ok(await page.locator('#dialog table.record').count() === 0,
               'the record is gone from the page once closed');
        }
        await page.goto(BASE + '/#/referrals');
        await page.waitForSelector('.view-referrals table, .view-referrals .empty, .view-referrals div.error');
        const days = await page.locator('.view-referrals tbody tr').evaluateAll(function (trs) {
            return trs.map(function (tr) { return tr.classList.contains('overdue') ? 1 : 0; });
        });
        ok(days.join('') === days.slice().sort().reverse().join(''),
           'referrals: the overdue first (' + days.filter(Boolean).length + ' overdue marked)');
        if (env.MADI_EXPECT_OVERDUE)
            ok(days[0] === 1 && await page.locator('.view-referrals .badge-overdue').count() > 0,
               'an overdue referral is marked overdue');
        await shot(page, '16-referrals');
        await logout(page);
    }
    await ctx.close();

    /* ---- public: no login, no suppressed number ---- */
    ({ ctx, page } = await newPage(browser));
    await page.goto(BASE + '/#/public');
    await page.waitForSelector('.view-public .kpi-grid, .view-public div.error', { timeout: 60000 });
    const pub = await (await page.request.get(BASE + '/api/v1/public/dashboard')).json();
    let nsup = 0, shownNumber = 0, wrong = 0;
    const items = pub.report.link.item;
    for (const ds of items) {
        const tid = ds.extension.measure + '-' + ds.id.join('-');
        const cats = ds.id.map(function (d) {
            const ix = ds.dimension[d].category.index;
            return Array.isArray(ix) ? ix : Object.keys(ix).sort(function (a, b) {
                return ix[a] - ix[b];
            });
        });
        for (let i = 0; i < ds.value.length; i++) {
            if (ds.value[i] !== null)
                continue;
            const st = ds.status && (Array.isArray(ds.status) ? ds.status[i] : ds.status[String(i)]);
            if (st !== 'c')
                continue;
            nsup++;
            let rem = i;
            const codes = [];
            for (let d = ds.id.length - 1; d >= 0; d--) {
                codes.unshift(cats[d][rem % cats[d].length]);
                rem = Math.floor(rem / cats[d].length);
            }
            const td = page.locator('table[data-table="' + tid + '"] td[data-cell="' +
                                    codes.join('|') + '"]');
            if (!(await td.count())) {
                wrong++;
                continue;
            }
            const txt = await td.first().textContent();
            const mark = td.first().locator('abbr.suppressed');
            if (/\d/.test(txt))
                shownNumber++;
            else if (!(await mark.count()) || (await mark.textContent()) !== 'c')
                wrong++;
        }
    }
    ok(nsup > 0, 'the published dashboard has suppressed cells (' + nsup + ')');
    ok(shownNumber === 0 && wrong === 0, 'every suppressed cell shows the mark, never a number (' +
       shownNumber + ' numbers, ' + wrong + ' other)');
    const supKpi = pub.report.extension.indicators.filter(function (k) { return k.status === 'c'; });
    let kbad = 0;
    for (const k of supKpi)
        if (/\d/.test(await page.locator('.kpi[data-kpi="' + k.id + '"] .kpi-value').textContent()))
            kbad++;
    ok(kbad === 0, 'suppressed key indicators (' + supKpi.length + ') show no number');
    ok(await page.locator('#logout:not([hidden])').count() === 0 &&
       await page.locator('a[data-format^="public-"]').count() === 0,
       'the public view has no login and no internal download');
    await contrastOk(page, 'public view');
    await shot(page, '17-public');
    await page.selectOption('#lang', 'fr');
    await page.waitForFunction(function () { return document.documentElement.lang === 'fr'; });
    await page.waitForSelector('.view-public .kpi-grid');
    ok(await page.locator('h1').textContent() === 'Chiffres publiés' &&
       (await page.locator('abbr.suppressed').first().getAttribute('title')) ===
       'non publié (contrôle de divulgation)', 'public view in French, the mark explained in French');
    await shot(page, '18-public-fr');
    await ctx.close();

    /* ---- keyboard only: log in without the mouse; a small screen ---- */
    ({ ctx, page } = await newPage(browser, { viewport: { width: 360, height: 740 },
                                              locale: 'fr-FR' }));
    await page.goto(BASE + '/');
    await page.waitForSelector('#login-user');
    ok(await page.evaluate(function () { return document.documentElement.lang; }) === 'fr',
       'the language follows the browser\'s (fr-FR)');
    await page.keyboard.press('Tab');
    ok(await page.evaluate(function () { return document.activeElement.id; }) === 'login-user',
       'keyboard: Tab from the page title reaches the name');
    await page.keyboard.type(env.MADI_OPERATOR || 'operator');
    await page.keyboard.press('Tab');
    ok(await page.evaluate(function () { return document.activeElement.id; }) === 'login-password',
       'keyboard: Tab reaches the password');
    const ring = await page.evaluate(function () {
        const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    });
    ok(ring, 'keyboard: the focused field shows a focus ring');
    await page.keyboard.type(PW);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#logout:not([hidden])', { timeout: 15000 });
    ok(await page.locator('h1').textContent() === 'Déposer un fichier',
       'keyboard-only login works (and the page is in French)');
    const wide = await page.evaluate(function () {
        return document.documentElement.scrollWidth <= window.innerWidth + 1;
    });
    ok(wide, 'small screen (360 px): nothing wider than the screen');
    await shot(page, '19-small-screen-keyboard');
    await page.goto(BASE + '/#/submissions');
    await page.waitForSelector('.view-submissions table, .view-submissions .empty');
    const ret = page.locator('.view-submissions tr[data-id="' + secondId + '"]');
    ok(await ret.count() === 1 && await ret.getAttribute('data-state') === 'returned' &&
       (await ret.textContent()).indexOf(RETURN_COMMENT) >= 0,
       'the operator sees the returned file with the reviewer\'s comment');
    await shot(page, '20-small-screen-submissions');
    await ctx.close();

    ok(problems.length === 0, 'no console error or CSP violation' +
       (problems.length ? ': ' + problems.slice(0, 5).join(' | ') : ''));
}

main().then(function () {
    console.log('screenshots in ' + ART);
    console.log(passed + ' passed, ' + failed + ' failed');
    process.exit(failed ? 1 : 0);
}, function (e) {
    console.log('not ok - the scenario stopped: ' + (e && e.stack ? e.stack : e));
    console.log(passed + ' passed, ' + (failed + 1) + ' failed');
    process.exit(1);
});
