/*
 * app.js: madi's web interface. One page, routed by the URL's hash (#/dashboard, #/upload, ...),
 * talking to the JSON API under /api/v1 with the session cookie and, on every POST, the CSRF
 * token the login (or /me) gave. No framework, no build step, nothing from outside this server.
 *
 * Every user-visible string comes from the message catalogue (i18n/LANG.json) through t().
 * The DOM is built with createElement and text nodes only (never innerHTML from data), and no
 * inline script or style is used (the server's CSP forbids both). The server decides who may do
 * what; this page only hides what the role cannot use.
 */
'use strict';

(function () {
    const API = '/api/v1';
    const LANGS = ['en', 'fr'];
    const SUPPRESSED = 'c'; /* the mark of a cell hidden by disclosure control, as in the reports */
    const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;
    const PREVIEW_MAX_GRIDS = 12;
    const PREVIEW_CONTEXT = 2;

    const state = {
        lang: 'en',
        cat: {},
        catEn: {},
        config: null,
        me: null,
        csrf: null,
        seq: 0,
        cleanup: null,
        flash: null,
        after: null
    };

    /* ---- messages ---------------------------------------------------------------------- */

    function t(key, params) {
        let s = state.cat[key];
        if (typeof s !== 'string')
            s = state.catEn[key];
        if (typeof s !== 'string')
            return key;
        if (params)
            s = s.replace(/\{(\w+)\}/g, function (m, k) {
                return params[k] !== undefined && params[k] !== null ? String(params[k]) : m;
            });
        return s;
    }

    /* A message with a count: KEY.one or KEY.other by the language's plural rules. */
    function tn(key, n, params) {
        const form = new Intl.PluralRules(state.lang).select(n) === 'one' ? 'one' : 'other';
        return t(key + '.' + form, Object.assign({ n: fmtInt(n) }, params || {}));
    }

    /* A code from the API (a state, a level, a role) in words; the code itself when unknown. */
    function tcode(prefix, code) {
        const k = prefix + '.' + code;
        const s = t(k);
        return s === k ? String(code) : s;
    }

    function fmtInt(n) {
        return new Intl.NumberFormat(state.lang, { maximumFractionDigits: 0 }).format(n);
    }

    function fmtNum(n, digits) {
        return new Intl.NumberFormat(state.lang, {
            minimumFractionDigits: 0,
            maximumFractionDigits: digits === undefined ? 1 : digits
        }).format(n);
    }

    /* yyyymmdd (an integer) or an ISO text as the date it is, in the page's language. */
    function fmtDate(v) {
        if (v === null || v === undefined || v === '' || v === 0)
            return '';
        if (typeof v === 'number') {
            const s = String(v);
            if (s.length !== 8)
                return s;
            return s.slice(0, 4) + '-' + s.slice(4, 6) + '-' + s.slice(6, 8);
        }
        const d = new Date(v);
        if (isNaN(d.getTime()))
            return String(v);
        return new Intl.DateTimeFormat(state.lang, { dateStyle: 'medium', timeStyle: 'short' })
            .format(d);
    }

    async function loadCatalogue(lang) {
        const res = await fetch('/i18n/' + lang + '.json', { credentials: 'same-origin' });
        if (!res.ok)
            throw new Error('catalogue ' + lang + ': ' + res.status);
        return res.json();
    }

    async function setLanguage(lang) {
        if (LANGS.indexOf(lang) < 0)
            lang = 'en';
        if (!state.catEn['app.title'])
            state.catEn = await loadCatalogue('en');
        state.cat = lang === 'en' ? state.catEn : await loadCatalogue(lang);
        state.lang = lang;
        document.documentElement.lang = lang;
        try {
            localStorage.setItem('madi.lang', lang);
        } catch (e) {
            /* private mode: the choice lasts for this page only */
        }
        translateStatic();
    }

    function initialLanguage() {
        let saved = null;
        try {
            saved = localStorage.getItem('madi.lang');
        } catch (e) {
            saved = null;
        }
        if (saved && LANGS.indexOf(saved) >= 0)
            return saved;
        const prefs = navigator.languages && navigator.languages.length ? navigator.languages
            : [navigator.language || 'en'];
        for (const p of prefs) {
            const base = String(p).toLowerCase().split('-')[0];
            if (LANGS.indexOf(base) >= 0)
                return base;
        }
        return 'en';
    }

    /* The shell's fixed strings (data-i18n, data-i18n-aria). */
    function translateStatic() {
        document.querySelectorAll('[data-i18n]').forEach(function (el) {
            el.textContent = t(el.getAttribute('data-i18n'));
        });
        document.querySelectorAll('[data-i18n-aria]').forEach(function (el) {
            el.setAttribute('aria-label', t(el.getAttribute('data-i18n-aria')));
        });
        const sel = $('#lang');
        sel.replaceChildren();
        for (const l of LANGS) {
            const o = h('option', { value: l, lang: l }, t('lang.' + l));
            if (l === state.lang)
                o.selected = true;
            sel.append(o);
        }
        $('#dialog-cancel').textContent = t('dialog.cancel');
    }

    /* ---- DOM --------------------------------------------------------------------------- */

    function $(sel, root) {
        return (root || document).querySelector(sel);
    }

    /* h('p', {class: 'x', onclick: fn}, 'text', child, ...): an element; strings become text. */
    function h(tag, attrs) {
        const el = document.createElement(tag);
        if (attrs) {
            for (const k of Object.keys(attrs)) {
                const v = attrs[k];
                if (v === null || v === undefined || v === false)
                    continue;
                if (k.slice(0, 2) === 'on' && typeof v === 'function')
                    el.addEventListener(k.slice(2), v);
                else if (k === 'class')
                    el.className = v;
                else if (v === true)
                    el.setAttribute(k, '');
                else
                    el.setAttribute(k, String(v));
            }
        }
        for (let i = 2; i < arguments.length; i++)
            add(el, arguments[i]);
        return el;
    }

    function add(el, c) {
        if (c === null || c === undefined || c === false)
            return;
        if (Array.isArray(c)) {
            c.forEach(function (x) { add(el, x); });
            return;
        }
        el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }

    function announce(msg) {
        const s = $('#status');
        s.textContent = '';
        window.setTimeout(function () { s.textContent = msg; }, 50);
    }

    let uid = 0;
    function newId(prefix) {
        uid += 1;
        return prefix + '-' + uid;
    }

    /* A labelled field: [label, control] in a div. */
    function field(labelText, control, hint) {
        const id = control.id || newId('f');
        control.id = id;
        const parts = [h('label', { for: id }, labelText)];
        if (hint) {
            const hid = id + '-hint';
            parts.push(h('span', { class: 'hint', id: hid }, hint));
            control.setAttribute('aria-describedby', hid);
        }
        parts.push(control);
        return h('div', { class: 'field' }, parts);
    }

    /* A table that scrolls sideways on a small screen, reachable by keyboard. */
    function scroller(table, label) {
        return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': label },
                 table);
    }

    function badge(kind, text) {
        return h('span', { class: 'badge badge-' + String(kind).replace(/[^a-z0-9_-]/gi, '_') },
                 text);
    }

    /* An API error as one translated line by its code, with the server's detail. */
    function errorLine(err) {
        const code = err && err.code ? err.code : 'unknown';
        const head = tcode('error', code) === code ? t('error.unknown') : tcode('error', code);
        return h('p', { class: 'error-line', 'data-code': code }, h('strong', null, head),
                 err && err.message ? [' ', h('span', { class: 'detail', lang: 'en' },
                                              err.message)] : null);
    }

    function errorBox(err) {
        return h('div', { class: 'error', role: 'alert' }, errorLine(err));
    }

    /* ---- the API ----------------------------------------------------------------------- */

    async function api(method, path, body, headers) {
        const hd = Object.assign({}, headers || {});
        let payload;
        if (body instanceof ArrayBuffer || body instanceof Blob) {
            payload = body;
            hd['Content-Type'] = 'application/octet-stream';
        } else if (body !== undefined) {
            payload = JSON.stringify(body);
            hd['Content-Type'] = 'application/json';
        }
        if (method !== 'GET' && state.csrf)
            hd['X-CSRF-Token'] = state.csrf;
        let res;
        try {
            res = await fetch(API + path, {
                method: method,
                headers: hd,
                body: payload,
                credentials: 'same-origin',
                cache: 'no-store'
            });
        } catch (e) {
            return { ok: false, status: 0, data: null,
                     error: { code: 'network', message: String(e && e.message || e) } };
        }
        let data = null;
        if ((res.headers.get('Content-Type') || '').indexOf('application/json') === 0) {
            try {
                data = await res.json();
            } catch (e) {
                data = null;
            }
        }
        const error = res.ok ? null : (data && data.error ? data.error
            : { code: 'http', message: res.status + ' ' + res.statusText });
        if (res.status === 401 && error && error.code === 'login_required' && state.me) {
            /* The session ended (idle or expired): back to the login page. */
            state.me = null;
            state.csrf = null;
            state.flash = t('login.expired');
            shell();
            go('login');
        }
        return { ok: res.ok, status: res.status, data: data, error: error };
    }

    function qs(params) {
        const u = new URLSearchParams();
        for (const k of Object.keys(params))
            if (params[k] !== null && params[k] !== undefined && params[k] !== '')
                u.set(k, params[k]);
        const s = u.toString();
        return s ? '?' + s : '';
    }

    /* ---- roles and routes -------------------------------------------------------------- */

    const NAV = {
        operator: ['upload', 'submissions', 'dashboard', 'quality'],
        reviewer: ['queue', 'submissions', 'dashboard', 'quality', 'upload'],
        analyst: ['dashboard', 'quality'],
        caseworker: ['cases', 'referrals'],
        admin: ['users', 'queue', 'submissions', 'dashboard', 'quality', 'upload']
    };
    const ROLES = ['operator', 'reviewer', 'analyst', 'caseworker', 'admin'];

    function role() {
        return state.me ? state.me.role : 'public';
    }

    function allowed(name) {
        if (name === 'login')
            return !state.me;
        if (name === 'public')
            return !!(state.config && state.config.public_dashboard);
        if (!state.me)
            return false;
        const nav = NAV[role()] || [];
        if (name === 'submission')
            return nav.indexOf('submissions') >= 0;
        return nav.indexOf(name) >= 0;
    }

    function home() {
        if (!state.me)
            return 'login';
        return (NAV[role()] || ['dashboard'])[0];
    }

    function parseHash() {
        const raw = location.hash.replace(/^#\/?/, '');
        const q = raw.indexOf('?');
        const path = q >= 0 ? raw.slice(0, q) : raw;
        const parts = path.split('/');
        return {
            name: parts[0] || '',
            arg: parts[1] ? decodeURIComponent(parts[1]) : null,
            query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '')
        };
    }

    function go(name, arg, query) {
        const target = '#/' + name + (arg ? '/' + encodeURIComponent(arg) : '') +
            (query ? qs(query) : '');
        if (location.hash === target)
            render();
        else
            location.hash = target;
    }

    /* The header: navigation for the role, who is logged in, log out. */
    function shell() {
        const ul = $('#navlist');
        ul.replaceChildren();
        const cur = parseHash().name;
        const items = state.me ? (NAV[role()] || []).slice() : ['login'];
        if (state.config && state.config.public_dashboard)
            items.push('public');
        for (const n of items) {
            const here = n === cur || (n === 'submissions' && cur === 'submission');
            ul.append(h('li', null, h('a', { href: '#/' + n, 'aria-current': here ? 'page' : null },
                                      t('nav.' + n))));
        }
        const who = $('#who');
        who.textContent = state.me ? t('app.who', {
            user: state.me.user,
            role: tcode('role', state.me.role)
        }) + (state.me.org ? ' · ' + state.me.org : '') : '';
        $('#logout').hidden = !state.me;
    }

    const VIEWS = {};

    async function render() {
        if (state.cleanup) {
            try {
                state.cleanup();
            } catch (e) {
                /* a view's cleanup failing must not keep the next one from showing */
            }
            state.cleanup = null;
        }
        closeDialog();
        const r = parseHash();
        let name = r.name;
        if (!name || !VIEWS[name] || !allowed(name)) {
            if (!state.me && VIEWS[name] && name !== 'login' && name !== 'public')
                state.after = location.hash; /* back there once logged in */
            const to = home();
            if (name !== to) {
                history.replaceState(null, '', '#/' + to);
                r.name = to;
                r.arg = null;
                name = to;
            }
        }
        shell();
        const seq = ++state.seq;
        const main = $('#main');
        const view = h('div', { class: 'view view-' + name });
        main.replaceChildren(view);
        document.title = t('nav.' + name) + ' · ' + t('app.title');
        const ctx = {
            r: r,
            live: function () { return seq === state.seq; }
        };
        const flash = state.flash;
        state.flash = null;
        let p;
        try {
            p = VIEWS[name](view, ctx);
        } catch (e) {
            p = Promise.reject(e);
        }
        const h1 = $('h1', view);
        if (h1) {
            h1.setAttribute('tabindex', '-1');
            if (flash)
                h1.after(h('p', { class: 'note flash' }, flash));
            h1.focus();
        }
        try {
            await p;
        } catch (e) {
            if (ctx.live())
                view.append(errorBox({ code: 'internal', message: String(e && e.message || e) }));
        }
    }

    /* ---- the dialog (native <dialog>: modal, Escape closes; Tab kept inside) ------------ */

    let dialogOpener = null;
    let dialogSubmit = null;

    function openDialog(opts) {
        const d = $('#dialog');
        dialogOpener = document.activeElement;
        $('#dialog-title').textContent = opts.title;
        $('#dialog-body').replaceChildren(opts.body);
        $('#dialog-error').replaceChildren();
        const ok = $('#dialog-ok');
        ok.textContent = opts.ok;
        ok.hidden = !opts.ok;
        $('#dialog-cancel').textContent = opts.ok ? t('dialog.cancel') : t('dialog.close');
        dialogSubmit = opts.onok || null;
        d.showModal();
        const first = d.querySelector('textarea, input, select, button:not([hidden])');
        if (first)
            first.focus();
    }

    function closeDialog() {
        const d = $('#dialog');
        if (d && d.open)
            d.close();
    }

    function dialogSetup() {
        const d = $('#dialog');
        d.addEventListener('close', function () {
            $('#dialog-body').replaceChildren();
            dialogSubmit = null;
            if (dialogOpener && document.contains(dialogOpener))
                dialogOpener.focus();
            dialogOpener = null;
        });
        d.addEventListener('keydown', function (e) {
            if (e.key !== 'Tab')
                return;
            const f = Array.prototype.filter.call(
                d.querySelectorAll('button, input, textarea, select, a[href], [tabindex]'),
                function (el) { return !el.hidden && !el.disabled && el.tabIndex >= 0; });
            if (!f.length)
                return;
            const first = f[0], last = f[f.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        });
        $('#dialog-cancel').addEventListener('click', closeDialog);
        $('#dialog-form').addEventListener('submit', async function (e) {
            e.preventDefault();
            if (!dialogSubmit)
                return closeDialog();
            const ok = $('#dialog-ok');
            ok.disabled = true;
            try {
                const err = await dialogSubmit();
                if (err) {
                    $('#dialog-error').replaceChildren(err);
                    return;
                }
            } finally {
                ok.disabled = false;
            }
        });
    }

    /* ---- login ------------------------------------------------------------------------- */

    VIEWS.login = function (el) {
        el.append(h('h1', null, t('login.title')));
        if (state.config && state.config.accounts === false)
            el.append(h('p', { class: 'note' }, t('login.first_run')));
        const user = h('input', { id: 'login-user', name: 'user', type: 'text',
                                  autocomplete: 'username', required: true,
                                  autocapitalize: 'none', spellcheck: 'false' });
        const pass = h('input', { id: 'login-password', name: 'password', type: 'password',
                                  autocomplete: 'current-password', required: true });
        const msg = h('div', { id: 'login-error', class: 'error-slot', 'aria-live': 'assertive',
                               'aria-atomic': 'true' });
        const btn = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
        const form = h('form', { class: 'card narrow', novalidate: true },
                       field(t('login.user'), user), field(t('login.password'), pass), msg,
                       h('div', { class: 'actions' }, btn));
        form.addEventListener('submit', async function (e) {
            e.preventDefault();
            msg.replaceChildren();
            if (!user.value.trim() || !pass.value) {
                msg.append(h('p', { class: 'error' }, t('login.missing')));
                (user.value.trim() ? pass : user).focus();
                return;
            }
            btn.disabled = true;
            const res = await api('POST', '/login', { user: user.value.trim(),
                                                      password: pass.value });
            btn.disabled = false;
            pass.value = '';
            if (!res.ok) {
                msg.append(errorBox(res.error));
                user.setAttribute('aria-invalid', 'true');
                pass.setAttribute('aria-invalid', 'true');
                pass.focus();
                return;
            }
            state.me = res.data;
            state.csrf = res.data.csrf;
            announce(t('login.welcome', { user: res.data.user }));
            const after = state.after;
            state.after = null;
            const want = after ? after.replace(/^#\/?/, '').split(/[/?]/)[0] : '';
            if (after && allowed(want))
                location.hash = after;
            else
                go(home());
        });
        el.append(form);
        if (state.config && state.config.public_dashboard)
            el.append(h('p', null, h('a', { href: '#/public' }, t('login.public_link'))));
    };

    async function logout() {
        await api('POST', '/logout', {});
        state.me = null;
        state.csrf = null;
        state.flash = t('login.logged_out');
        go('login');
    }

    /* ---- findings and the CSV preview ---------------------------------------------------- */

    function colLetter(n) {
        let s = '';
        while (n > 0) {
            const m = (n - 1) % 26;
            s = String.fromCharCode(65 + m) + s;
            n = Math.floor((n - 1) / 26);
        }
        return s;
    }

    function colText(n) {
        return n > 0 ? t('finding.col_value', { n: n, letter: colLetter(n) }) : '';
    }

    /* A CSV as records with the physical line each starts on (1-based, as the findings say). */
    function parseCsv(text) {
        if (text.charCodeAt(0) === 0xfeff)
            text = text.slice(1);
        let end = text.search(/\r|\n/);
        const first = end < 0 ? text : text.slice(0, end);
        let delim = ',', best = -1;
        for (const d of [',', ';', '\t']) {
            let n = 0, q = false;
            for (const c of first) {
                if (c === '"')
                    q = !q;
                else if (c === d && !q)
                    n++;
            }
            if (n > best) {
                best = n;
                delim = d;
            }
        }
        const recs = [];
        let rec = [], fieldv = '', line = 1, start = 1, q = false, i = 0;
        const n = text.length;
        while (i < n) {
            const c = text[i];
            if (q) {
                if (c === '"') {
                    if (text[i + 1] === '"') {
                        fieldv += '"';
                        i += 2;
                        continue;
                    }
                    q = false;
                } else {
                    if (c === '\n')
                        line++;
                    fieldv += c;
                }
                i++;
                continue;
            }
            if (c === '"' && fieldv === '') {
                q = true;
            } else if (c === delim) {
                rec.push(fieldv);
                fieldv = '';
            } else if (c === '\r' || c === '\n') {
                rec.push(fieldv);
                fieldv = '';
                recs.push({ line: start, cells: rec });
                rec = [];
                if (c === '\r' && text[i + 1] === '\n')
                    i++;
                line++;
                start = line;
            } else {
                fieldv += c;
            }
            i++;
        }
        if (fieldv !== '' || rec.length) {
            rec.push(fieldv);
            recs.push({ line: start, cells: rec });
        }
        return recs;
    }

    /* The rows around each error of a CSV, with the offending cell marked. */
    function csvPreview(file, findings) {
        if (!file || !file.text)
            return null;
        const errs = findings.filter(function (f) { return f.level === 'error' && f.line > 0; });
        if (!errs.length)
            return null;
        const recs = parseCsv(file.text);
        if (!recs.length)
            return null;
        const header = recs[0].cells;
        const byLine = new Map();
        recs.forEach(function (r, i) { byLine.set(r.line, i); });
        const wrap = h('section', { class: 'preview', 'aria-labelledby': 'preview-h' },
                       h('h3', { id: 'preview-h' }, t('preview.title', { file: file.name })),
                       h('p', { class: 'hint' }, t('preview.explain')));
        /* one grid per line, every erroneous cell of that line marked */
        const lines = [];
        const byLineErrs = new Map();
        for (const f of errs) {
            if (!byLineErrs.has(f.line)) {
                byLineErrs.set(f.line, []);
                lines.push(f.line);
            }
            byLineErrs.get(f.line).push(f);
        }
        let shown = 0;
        for (const line of lines) {
            if (shown >= PREVIEW_MAX_GRIDS) {
                wrap.append(h('p', { class: 'hint' }, tn('preview.more', lines.length - shown)));
                break;
            }
            const fs = byLineErrs.get(line);
            const cols = new Map();
            for (const f of fs)
                if (f.col > 0)
                    cols.set(f.col, f);
            let at = byLine.get(line);
            if (at === undefined) {
                /* a line inside a quoted field: the record that holds it */
                at = 0;
                for (let i = 0; i < recs.length && recs[i].line <= line; i++)
                    at = i;
            }
            const lo = Math.max(1, at - PREVIEW_CONTEXT);
            const hi = Math.min(recs.length - 1, at + PREVIEW_CONTEXT);
            let ncol = header.length;
            for (const c of cols.keys())
                ncol = Math.max(ncol, c);
            const headRow = h('tr', null, h('th', { scope: 'col' }, t('preview.line')));
            for (let c = 0; c < ncol; c++)
                headRow.append(h('th', { scope: 'col', class: cols.has(c + 1) ? 'bad-col' : null },
                                 h('span', { class: 'colletter' }, colLetter(c + 1)), ' ',
                                 header[c] !== undefined ? header[c] : ''));
            const body = h('tbody');
            let target = null;
            for (let i = lo; i <= hi; i++) {
                const r = recs[i];
                const isBad = i === at;
                const tr = h('tr', { class: isBad ? 'bad-row' : null },
                             h('th', { scope: 'row' }, fmtInt(r.line)));
                for (let c = 0; c < ncol; c++) {
                    const v = r.cells[c] !== undefined ? r.cells[c] : '';
                    const hit = isBad && cols.has(c + 1);
                    const td = h('td', hit ? { class: 'bad', 'data-line': line, 'data-col': c + 1 }
                        : null, hit ? [h('mark', null, v),
                                       h('span', { class: 'visually-hidden' },
                                         ' ' + t('preview.here'))] : v);
                    if (hit && !target)
                        target = td;
                    tr.append(td);
                }
                body.append(tr);
            }
            const cap = fs.map(function (f) {
                return t('preview.caption', { line: fmtInt(f.line), col: colText(f.col),
                                              message: f.message });
            }).join(' · ');
            const capId = 'grid-cap-' + line;
            const table = h('table', { class: 'grid', 'aria-labelledby': capId },
                            h('thead', null, headRow), body);
            const box = scroller(table, cap);
            box.id = 'grid-line-' + line;
            /* the caption outside the part that scrolls sideways, so it stays in view */
            wrap.append(h('figure', { class: 'grid-fig' },
                          h('figcaption', { id: capId }, cap), box));
            shown++;
            if (target) {
                const tgt = target;
                window.requestAnimationFrame(function () {
                    box.scrollLeft = Math.max(0, tgt.offsetLeft - box.clientWidth / 2);
                });
            }
        }
        return wrap;
    }

    function findingsTable(findings, preview) {
        if (!findings || !findings.length)
            return h('p', { class: 'ok-line' }, t('findings.none'));
        const nerr = findings.filter(function (f) { return f.level === 'error'; }).length;
        const nwarn = findings.length - nerr;
        const cap = t('findings.caption', { errors: tn('count.errors', nerr),
                                            warnings: tn('count.warnings', nwarn) });
        const head = h('tr', null, ['findings.level', 'findings.file', 'findings.sheet',
                                    'findings.line', 'findings.col', 'findings.field',
                                    'findings.message'].map(function (k) {
            return h('th', { scope: 'col' }, t(k));
        }));
        const body = h('tbody');
        for (const f of findings) {
            const gid = 'grid-line-' + f.line;
            const jump = preview && f.level === 'error' && f.line > 0 ?
                h('button', { type: 'button', class: 'linkish', onclick: function () {
                    const g = document.getElementById(gid);
                    if (g) {
                        g.scrollIntoView({ block: 'center' });
                        g.focus();
                    }
                } }, t('findings.show')) : null;
            body.append(h('tr', { class: 'level-' + f.level, 'data-line': f.line,
                                  'data-col': f.col },
                          h('td', null, badge(f.level, tcode('level', f.level))),
                          h('td', null, f.file || ''), h('td', null, f.sheet || ''),
                          h('td', { class: 'num' }, f.line > 0 ? fmtInt(f.line) : ''),
                          h('td', { class: 'num' }, colText(f.col)),
                          h('td', null, f.field || ''),
                          h('td', null, h('span', { lang: 'en' }, f.message), jump ? [' ', jump]
                              : null)));
        }
        return scroller(h('table', { class: 'findings' }, h('caption', null, cap),
                          h('thead', null, head), body), cap);
    }

    /* ---- operator: upload ---------------------------------------------------------------- */

    VIEWS.upload = function (el) {
        let kept = null; /* the uploaded file, for the preview; dropped when leaving the view */
        state.cleanup = function () { kept = null; };
        el.append(h('h1', null, t('upload.title')), h('p', null, t('upload.intro')));
        const file = h('input', { id: 'up-file', type: 'file', required: true,
                                  accept: '.csv,.xlsx,.ods,.zip,.xls,text/csv' });
        const kind = h('input', { id: 'up-kind', type: 'text', autocomplete: 'off' });
        const sheet = h('input', { id: 'up-sheet', type: 'text', autocomplete: 'off' });
        const repl = h('input', { id: 'up-replaces', type: 'text', inputmode: 'numeric',
                                  pattern: '[0-9]*', autocomplete: 'off' });
        const btn = h('button', { type: 'submit', class: 'primary', id: 'up-submit' },
                      t('upload.submit'));
        const out = h('div', { id: 'up-result', class: 'result', 'aria-live': 'polite' });
        const form = h('form', { class: 'card', novalidate: true },
                       field(t('upload.file'), file, t('upload.file_hint')),
                       h('details', null, h('summary', null, t('upload.more')),
                         field(t('upload.kind'), kind, t('upload.kind_hint')),
                         field(t('upload.sheet'), sheet, t('upload.sheet_hint')),
                         field(t('upload.replaces'), repl, t('upload.replaces_hint'))),
                       h('div', { class: 'actions' }, btn));
        form.addEventListener('submit', async function (e) {
            e.preventDefault();
            out.replaceChildren();
            const f = file.files && file.files[0];
            if (!f) {
                out.append(h('p', { class: 'error', role: 'alert' }, t('upload.choose')));
                file.focus();
                return;
            }
            btn.disabled = true;
            out.append(h('p', { class: 'busy' }, t('upload.checking', { file: f.name })));
            const buf = await f.arrayBuffer();
            const isCsv = /\.(csv|txt)$/i.test(f.name) || f.type === 'text/csv';
            kept = { name: f.name, text: isCsv && buf.byteLength <= PREVIEW_MAX_BYTES ?
                new TextDecoder('utf-8').decode(buf) : null };
            const name = /^[\x20-\x7e]*$/.test(f.name) ? f.name : encodeURIComponent(f.name);
            const res = await api('POST', '/submissions' + qs({ kind: kind.value.trim(),
                                                                  sheet: sheet.value.trim(),
                                                                  replaces: repl.value.trim() }),
                                  buf, { 'X-File-Name': name });
            btn.disabled = false;
            out.replaceChildren();
            const rejected = res.status === 422 && res.error && res.error.code === 'rejected';
            if (!res.ok && !rejected) {
                out.append(errorBox(res.error));
                return;
            }
            const sub = res.data.submission;
            const findings = rejected ? (res.error.findings || []) : (res.data.findings || []);
            const h2 = h('h2', { tabindex: '-1' }, rejected ? t('upload.rejected_title')
                : t('upload.ok_title'));
            out.append(h2);
            if (rejected) {
                out.append(errorBox(res.error), h('p', null, t('upload.fix_and_again')));
            } else {
                out.append(h('p', { class: 'ok-line' }, t('upload.ok', {
                    rows: tn('count.rows', sub.rows), kind: sub.kind || '?'
                })));
            }
            if (sub)
                out.append(subSummary(sub));
            const preview = rejected ? csvPreview(kept, findings) : null;
            out.append(findingsTable(findings, !!preview));
            if (preview)
                out.append(preview);
            if (sub && sub.state === 'draft')
                out.append(submitBlock(sub, out));
            h2.focus();
            announce(rejected ? tn('count.errors', sub ? sub.errors : findings.length)
                : t('upload.ok_title'));
        });
        el.append(form, out);
    };

    function subSummary(s) {
        const dl = h('dl', { class: 'meta' });
        const row = function (k, v) {
            if (v === null || v === undefined || v === '')
                return;
            dl.append(h('dt', null, t(k)), h('dd', null, v));
        };
        row('sub.id', '#' + s.id);
        row('sub.file', s.file);
        row('sub.state', stateBadge(s.state));
        row('sub.org', s.org);
        row('sub.kind', s.kind);
        row('sub.rows', fmtInt(s.rows));
        row('sub.errors', fmtInt(s.errors));
        row('sub.warnings', fmtInt(s.warnings));
        row('sub.uploaded', s.uploaded_at ? t('sub.by_at', { who: s.uploaded_by,
                                                             when: fmtDate(s.uploaded_at) })
            : null);
        row('sub.submitted', fmtDate(s.submitted_at));
        row('sub.reviewed', s.reviewed_at ? t('sub.by_at', { who: s.reviewed_by,
                                                             when: fmtDate(s.reviewed_at) })
            : null);
        row('sub.replaces', s.replaces ? t('sub.batch_n', { n: s.replaces }) : null);
        row('sub.batch', s.batch ? t('sub.batch_n', { n: s.batch }) : null);
        if (s.comment)
            row('sub.comment', h('q', { class: 'comment' }, s.comment));
        return dl;
    }

    function stateBadge(st) {
        return badge('state-' + st, tcode('state', st));
    }

    function submitBlock(sub, out) {
        const msg = h('div', { 'aria-live': 'polite' });
        const btn = h('button', { type: 'button', class: 'primary', id: 'sub-submit' },
                      t('sub.submit'));
        btn.addEventListener('click', async function () {
            btn.disabled = true;
            const res = await api('POST', '/submissions/' + sub.id + '/submit', {});
            msg.replaceChildren();
            if (!res.ok) {
                btn.disabled = false;
                msg.append(errorBox(res.error));
                return;
            }
            btn.remove();
            msg.append(h('p', { class: 'ok-line', id: 'sub-submitted' }, t('sub.submitted_ok')),
                       subSummary(res.data.submission));
            announce(t('sub.submitted_ok'));
        });
        return h('div', { class: 'card' }, h('p', null, t('sub.submit_explain')),
                 h('div', { class: 'actions' }, btn), msg);
    }

    /* ---- submissions, the queue, one submission ------------------------------------------ */

    function subTable(list, caption) {
        const showOrg = role() !== 'operator';
        const cols = ['sub.id', 'sub.file'].concat(showOrg ? ['sub.org'] : [])
            .concat(['sub.state', 'sub.uploaded', 'sub.rows', 'sub.errors', 'sub.warnings',
                     'sub.comment']);
        const body = h('tbody');
        for (const s of list) {
            body.append(h('tr', { 'data-id': s.id, 'data-state': s.state },
                          h('td', { class: 'num' }, '#' + s.id),
                          h('td', null, h('a', { href: '#/submission/' + s.id }, s.file)),
                          showOrg ? h('td', null, s.org) : null,
                          h('td', null, stateBadge(s.state)),
                          h('td', null, t('sub.by_at', { who: s.uploaded_by,
                                                         when: fmtDate(s.uploaded_at) })),
                          h('td', { class: 'num' }, fmtInt(s.rows)),
                          h('td', { class: 'num' }, fmtInt(s.errors)),
                          h('td', { class: 'num' }, fmtInt(s.warnings)),
                          h('td', null, s.comment ? h('q', { class: 'comment' }, s.comment) : '')));
        }
        return scroller(h('table', { class: 'list' }, h('caption', null, caption),
                          h('thead', null, h('tr', null, cols.map(function (k) {
                              return h('th', { scope: 'col' }, t(k));
                          }))), body), caption);
    }

    VIEWS.submissions = async function (el, ctx) {
        const st = ctx.r.query.get('state') || '';
        el.append(h('h1', null, role() === 'operator' ? t('subs.title_mine') : t('subs.title')));
        const sel = h('select', { id: 'subs-state' },
                      h('option', { value: '' }, t('subs.all')),
                      ['invalid', 'draft', 'submitted', 'approved', 'returned'].map(function (s) {
                          return h('option', { value: s, selected: s === st }, tcode('state', s));
                      }));
        const form = h('form', { class: 'filters' }, field(t('subs.filter'), sel),
                       h('div', { class: 'actions' },
                         h('button', { type: 'submit' }, t('filters.apply'))));
        form.addEventListener('submit', function (e) {
            e.preventDefault();
            go('submissions', null, { state: sel.value });
        });
        el.append(form);
        if (role() === 'operator')
            el.append(h('p', null, h('a', { href: '#/upload' }, t('subs.upload_link'))));
        return submissionList(el, ctx, st, 'subs');
    };

    /* The submissions in `state` ('' for all) as a table, or the catalogue's `keys`.none. */
    async function submissionList(el, ctx, state, keys) {
        const res = await api('GET', '/submissions' + qs({ state: state }));
        if (!ctx.live())
            return;
        if (!res.ok)
            return el.append(errorBox(res.error));
        const list = res.data.submissions || [];
        if (!list.length)
            return el.append(h('p', { class: 'empty' }, t(keys + '.none')));
        el.append(subTable(list, tn(keys + '.caption', list.length)));
    }

    VIEWS.queue = async function (el, ctx) {
        el.append(h('h1', null, t('queue.title')), h('p', null, t('queue.intro')));
        return submissionList(el, ctx, 'submitted', 'queue');
    };

    VIEWS.submission = async function (el, ctx) {
        const id = ctx.r.arg;
        const h1 = h('h1', null, t('sub.title', { id: id }));
        el.append(h1, h('p', null, h('a', { href: role() === 'operator' ? '#/submissions'
            : '#/queue' }, t('sub.back'))));
        const res = await api('GET', '/submissions/' + encodeURIComponent(id));
        if (!ctx.live())
            return;
        if (!res.ok)
            return el.append(errorBox(res.error));
        const s = res.data.submission;
        h1.textContent = t('sub.title_file', { id: s.id, file: s.file });
        el.append(subSummary(s));
        el.append(h('h2', null, t('findings.title')), findingsTable(res.data.findings || [], false));
        const reviewer = role() === 'reviewer' || role() === 'admin';
        if (s.state === 'draft')
            el.append(submitBlock(s));
        if ((s.state === 'invalid' || s.state === 'returned') && role() === 'operator')
            el.append(h('p', null, t('sub.fix_hint'), ' ',
                        h('a', { href: '#/upload' }, t('sub.upload_again'))));
        if (s.state === 'submitted' && reviewer) {
            const pv = h('section', { class: 'card', 'aria-labelledby': 'pv-h' },
                         h('h2', { id: 'pv-h' }, t('review.preview_title')),
                         h('p', { class: 'busy' }, t('app.loading')));
            el.append(pv, reviewForm(s));
            const p = await api('GET', '/submissions/' + s.id + '/preview');
            if (!ctx.live())
                return;
            pv.lastChild.remove();
            if (!p.ok)
                return pv.append(errorBox(p.error));
            add(pv, previewSummary(p.data));
        }
    };

    function previewSummary(p) {
        const dl = h('dl', { class: 'meta' },
                     h('dt', null, t('review.kind')), h('dd', null, p.kind || '?'),
                     h('dt', null, t('review.rows')), h('dd', null, fmtInt(p.rows)),
                     h('dt', null, t('review.updated')), h('dd', null, fmtInt(p.updated)),
                     h('dt', null, t('review.sheets')), h('dd', null, fmtInt(p.sheets)),
                     h('dt', null, t('review.warnings')), h('dd', null, fmtInt(p.warnings)));
        const q = p.quality || [];
        return [dl, h('h3', null, t('review.quality_title')),
                q.length ? qualityTable(q, tn('quality.caption', q.length), false)
                    : h('p', { class: 'ok-line' }, t('review.quality_none'))];
    }

    function reviewForm(s) {
        const comment = h('textarea', { id: 'review-comment', rows: '3' });
        const msg = h('div', { 'aria-live': 'polite', id: 'review-msg' });
        const approve = h('button', { type: 'button', class: 'primary', id: 'review-approve' },
                          t('review.approve'));
        const ret = h('button', { type: 'button', id: 'review-return' }, t('review.return'));
        async function act(what) {
            msg.replaceChildren();
            if (what === 'return' && !comment.value.trim()) {
                msg.append(h('p', { class: 'error', role: 'alert' }, t('review.need_comment')));
                comment.setAttribute('aria-invalid', 'true');
                comment.focus();
                return;
            }
            approve.disabled = ret.disabled = true;
            const res = await api('POST', '/submissions/' + s.id + '/' + what,
                                  { comment: comment.value.trim() });
            approve.disabled = ret.disabled = false;
            if (!res.ok) {
                msg.append(errorBox(res.error));
                if (res.error && res.error.findings)
                    msg.append(findingsTable(res.error.findings, false));
                return;
            }
            const done = what === 'approve' ? t('review.approved') : t('review.returned');
            state.flash = done;
            announce(done);
            render();
        }
        approve.addEventListener('click', function () { act('approve'); });
        ret.addEventListener('click', function () { act('return'); });
        return h('section', { class: 'card', 'aria-labelledby': 'rv-h' },
                 h('h2', { id: 'rv-h' }, t('review.title')),
                 field(t('review.comment'), comment, t('review.comment_hint')),
                 h('div', { class: 'actions' }, approve, ret), msg);
    }

    /* ---- figures: the dashboard ---------------------------------------------------------- */

    /* JSON-stat: the status of cell i ("c" for a suppressed one), whatever form it takes. */
    function cellStatus(ds, i) {
        const st = ds.status;
        if (!st)
            return null;
        if (typeof st === 'string')
            return st;
        if (Array.isArray(st))
            return st[i] || null;
        return st[String(i)] || null;
    }

    function cellValue(ds, i) {
        const v = ds.value;
        if (Array.isArray(v))
            return v[i] === undefined ? null : v[i];
        if (v && typeof v === 'object')
            return v[String(i)] === undefined ? null : v[String(i)];
        return null;
    }

    /* The mark of a suppressed cell: "c" to the eye, its meaning to a screen reader. */
    function suppressedMark() {
        return h('span', { class: 'suppressed-cell' },
                 h('abbr', { class: 'suppressed', title: t('dash.suppressed_title'),
                             'aria-hidden': 'true' }, SUPPRESSED),
                 h('span', { class: 'visually-hidden' }, t('dash.suppressed_title')));
    }

    function cellContent(ds, i) {
        const v = cellValue(ds, i);
        const st = cellStatus(ds, i);
        if (st === 'c' || (v === null && st === 'c'))
            return suppressedMark();
        if (v === null)
            return h('span', { class: 'novalue', title: t('dash.novalue_title') }, '–');
        return fmtNum(v, 1) + (st ? ' ' + st : '');
    }

    function dimCats(ds, d) {
        const cat = ds.dimension[d].category;
        let codes;
        if (Array.isArray(cat.index))
            codes = cat.index.slice();
        else if (cat.index)
            codes = Object.keys(cat.index).sort(function (a, b) {
                return cat.index[a] - cat.index[b];
            });
        else
            codes = Object.keys(cat.label || {});
        return codes.map(function (c) {
            return { code: c, label: (cat.label && cat.label[c]) || c };
        });
    }

    /* A category in the page's language when the catalogue knows its code, else madi's label. */
    function catLabel(dim, c) {
        if (c.code === '_T')
            return t('dash.total');
        if (c.code === '_U')
            return t('dash.unknown');
        const k = 'cat.' + dim + '.' + c.code;
        return t(k) === k ? c.label : t(k);
    }

    function dimLabel(ds, d) {
        const k = 'dim.' + d;
        return t(k) === k ? ds.dimension[d].label || d : t(k);
    }

    function datasetId(ds) {
        const m = ds.extension && ds.extension.measure;
        return m ? m + '-' + ds.id.join('-') : ds.label;
    }

    /* One JSON-stat dataset as a table: the last dimension across, the others down. */
    function datasetTable(ds, tid) {
        const dims = ds.id;
        const cats = dims.map(function (d) { return dimCats(ds, d); });
        const size = ds.size || cats.map(function (c) { return c.length; });
        const last = dims.length - 1;
        const stride = [];
        let acc = 1;
        for (let d = dims.length - 1; d >= 0; d--) {
            stride[d] = acc;
            acc *= size[d];
        }
        const head = h('tr');
        if (dims.length === 1) {
            head.append(h('th', { scope: 'col' }, dimLabel(ds, dims[0])),
                        h('th', { scope: 'col', class: 'num' },
                          (ds.extension && ds.extension.counts) || t('dash.value')));
        } else {
            head.append(h('th', { scope: 'col' }, dims.slice(0, last).map(function (d) {
                return dimLabel(ds, d);
            }).join(' / ')));
            for (const c of cats[last])
                head.append(h('th', { scope: 'col', class: 'num' }, catLabel(dims[last], c)));
        }
        const body = h('tbody');
        const rowDims = dims.length === 1 ? 1 : last;
        let nrows = 1;
        for (let d = 0; d < rowDims; d++)
            nrows *= size[d];
        for (let r = 0; r < nrows; r++) {
            let rem = r, base = 0;
            const labels = [], codes = [];
            for (let d = rowDims - 1; d >= 0; d--) {
                const k = rem % size[d];
                rem = Math.floor(rem / size[d]);
                labels.unshift(catLabel(dims[d], cats[d][k]));
                codes.unshift(cats[d][k].code);
                base += k * stride[d];
            }
            const isTotal = codes.indexOf('_T') >= 0;
            const tr = h('tr', { class: isTotal ? 'total' : null },
                         h('th', { scope: 'row' }, labels.join(' / ')));
            if (dims.length === 1) {
                tr.append(h('td', { class: 'num', 'data-cell': codes.join('|') },
                            cellContent(ds, base)));
            } else {
                for (let k = 0; k < size[last]; k++)
                    tr.append(h('td', { class: 'num', 'data-cell': codes.concat(
                        [cats[last][k].code]).join('|') }, cellContent(ds, base + k * stride[last])));
            }
            body.append(tr);
        }
        const note = ds.extension && ds.extension.note;
        const cap = h('caption', null, h('span', { class: 'visually-hidden' }, ds.label),
                      note ? h('span', { class: 'hint', lang: 'en' }, note) : null);
        return scroller(h('table', { class: 'data', 'data-table': tid }, cap,
                          h('thead', null, head), body), ds.label);
    }

    function kpiValue(k, v) {
        if (v === null || v === undefined)
            return '';
        const s = fmtNum(v, k.unit === 'ratio' ? 2 : 1);
        return tcode('unit', k.unit) === k.unit ? s : t('unit.' + k.unit, { v: s });
    }

    function kpiCard(k) {
        const card = h('article', { class: 'kpi', 'data-kpi': k.id,
                                    'aria-labelledby': 'kpi-' + k.id.replace(/[^a-z0-9]/gi, '_') });
        card.append(h('h4', { id: 'kpi-' + k.id.replace(/[^a-z0-9]/gi, '_') }, k.title));
        let val;
        if (k.status === 'c')
            val = suppressedMark();
        else if (k.value === null || k.value === undefined)
            val = h('span', { class: 'novalue' }, t('dash.novalue'));
        else
            val = kpiValue(k, k.value);
        card.append(h('p', { class: 'kpi-value', 'data-value': k.value === null ? '' : k.value },
                      val));
        if (k.why)
            card.append(h('p', { class: 'hint', lang: 'en' }, k.why));
        if (k.target !== undefined && k.target !== null) {
            const ts = k.target_state || 'cannot say';
            card.append(h('p', { class: 'kpi-target target-' + ts.replace(/\s+/g, '-') },
                          t('dash.target', { target: kpiValue(k, k.target), year: k.target_year,
                                             state: tcode('target', ts) })));
        }
        if (k.previous_year !== undefined && k.previous_year !== null)
            card.append(h('p', { class: 'kpi-prev' },
                          t('dash.previous', { v: kpiValue(k, k.previous_year) })));
        // "reported by": against the universe when the indicator names one, else sex recorded
        const cov = k.coverage && (k.coverage.reported !== null ? k.coverage.reported
                                                                 : k.coverage.sex);
        if (typeof cov === 'number' && cov >= 0)
            card.append(h('p', { class: 'kpi-cov' },
                          t('dash.coverage', { v: fmtNum(100 * cov, 0) })));
        return card;
    }

    function chartImg(src, alt) {
        return h('img', { src: src, alt: alt, loading: 'lazy', decoding: 'async', class: 'chart' });
    }

    function scorecardTable(sc) {
        const body = h('tbody');
        for (const s of sc)
            body.append(h('tr', { 'data-item': s.item },
                          h('th', { scope: 'row' }, h('span', { lang: 'en' }, s.text)),
                          h('td', null, tcode('body', s.body)),
                          h('td', null, h('span', { lang: 'en' }, s['function'])),
                          h('td', null, badge('answer-' + String(s.answer).replace(/\s+/g, '-'),
                                              tcode('answer', s.answer))),
                          h('td', null, h('span', { lang: 'en' }, s.evidence || ''))));
        const cap = t('dash.scorecard_caption');
        return scroller(h('table', { class: 'list' }, h('caption', null, cap),
                          h('thead', null, h('tr', null, ['sc.item', 'sc.body', 'sc.function',
                                                          'sc.answer', 'sc.evidence']
            .map(function (k) { return h('th', { scope: 'col' }, t(k)); }))), body), cap);
    }

    async function dashboardView(el, ctx, pub) {
        const q = ctx.r.query;
        const f = { period: q.get('period') || '',
                    area: pub || role() === 'operator' ? '' : q.get('area') || '',
                    org: pub || role() === 'operator' ? '' : q.get('org') || '' };
        const grp = pub ? '' : q.get('group') || '';
        el.append(h('h1', null, pub ? t('public.title') : t('dash.title')));
        const period = h('input', { id: 'dash-period', type: 'text', value: f.period,
                                    autocomplete: 'off', placeholder: '2025' });
        const area = h('input', { id: 'dash-area', type: 'text', value: f.area,
                                  autocomplete: 'off', list: 'dash-areas' });
        const org = h('input', { id: 'dash-org', type: 'text', value: f.org, autocomplete: 'off',
                                 placeholder: 'OP-01' });
        const areas = h('datalist', { id: 'dash-areas' });
        const group = h('select', { id: 'dash-group' });
        for (const g of ['', 'sex', 'age', 'disability', 'displacement', 'minority', 'operator'])
            group.append(h('option', { value: g, selected: g === grp ? '' : null },
                           t('filters.group.' + (g || 'none'))));
        const form = h('form', { class: 'filters', role: 'search',
                                 'aria-label': t('filters.label') },
                       field(t('filters.period'), period, t('filters.period_hint')),
                       pub || role() === 'operator' ? null
                           : [field(t('filters.area'), area, t('filters.area_hint')), areas],
                       pub || role() === 'operator' ? null
                           : field(t('filters.org'), org, t('filters.org_hint')),
                       pub ? null : field(t('filters.group'), group, t('filters.group_hint')),
                       h('div', { class: 'actions' },
                         h('button', { type: 'submit', class: 'primary' }, t('filters.apply'))));
        form.addEventListener('submit', function (e) {
            e.preventDefault();
            go(pub ? 'public' : 'dashboard', null, { period: period.value.trim(),
                                                     area: area.value.trim(),
                                                     org: org.value.trim(),
                                                     group: group.value });
        });
        el.append(form);
        const busy = h('p', { class: 'busy' }, t('app.loading'));
        el.append(busy);
        const res = await api('GET', (pub ? '/public/dashboard' : '/dashboard') + qs(f));
        if (!ctx.live())
            return;
        busy.remove();
        if (!res.ok)
            return el.append(errorBox(res.error));
        const d = res.data;
        const rep = d.report || {};
        const ext = rep.extension || {};
        const items = (rep.link && rep.link.item) || [];
        const charts = new Map();
        for (const c of d.charts || [])
            charts.set(c.id, c);
        const chartBase = (pub ? API + '/public/chart' : API + '/dashboard/chart');
        const chartSrc = function (id) {
            return chartBase + qs({ chart: id, period: f.period, area: f.area, org: f.org });
        };

        /* areas for the filter, from the tables by area */
        for (const ds of items)
            if (ds.id.indexOf('area') >= 0 && !areas.childNodes.length)
                for (const c of dimCats(ds, 'area'))
                    if (c.code !== '_T' && c.code !== '_U')
                        areas.append(h('option', { value: c.code }, c.label));

        const intro = h('div', { class: 'dash-intro' },
                        h('p', { class: 'period' }, t('dash.period', { period: ext.period || '' })),
                        h('p', { class: d.audience === 'public' ? 'note' : 'note internal' },
                          d.audience === 'public' ? t('dash.public_note')
                              : t('dash.internal_note')));
        if (d.confined_to)
            intro.append(h('p', { class: 'note' }, t('dash.confined', { org: d.confined_to })));
        if (f.area || f.org)
            intro.append(h('p', { class: 'note' }, t('dash.filtered', {
                what: [f.area ? t('filters.area') + ' ' + f.area : '',
                       f.org ? t('filters.org') + ' ' + f.org : ''].filter(Boolean).join(', ')
            })));
        el.append(intro);

        /* key indicators, by pillar */
        const kpis = ext.indicators || [];
        const ksec = h('section', { class: 'kpis', 'aria-labelledby': 'h-kpis' },
                       h('h2', { id: 'h-kpis' }, t('dash.kpis')));
        const pillars = [];
        for (const k of kpis)
            if (pillars.indexOf(k.pillar) < 0)
                pillars.push(k.pillar);
        for (const p of pillars) {
            ksec.append(h('h3', null, tcode('pillar', p)));
            const grid = h('div', { class: 'kpi-grid' });
            for (const k of kpis)
                if (k.pillar === p)
                    grid.append(kpiCard(k));
            ksec.append(grid);
        }
        if (!kpis.length)
            ksec.append(h('p', null, t('dash.no_kpis')));
        el.append(ksec);
        if (grp && kpis.length)
            el.append(await groupSection(kpis, f, grp));

        /* indicators against their targets, as charts */
        const tcharts = (d.charts || []).filter(function (c) { return c.id.indexOf('kpi:') === 0; });
        if (tcharts.length) {
            const ts = h('section', { class: 'charts', 'aria-labelledby': 'h-targets' },
                         h('h2', { id: 'h-targets' }, t('dash.targets')));
            const grid = h('div', { class: 'chart-grid' });
            for (const c of tcharts) {
                const k = kpis.find(function (x) { return 'kpi:' + x.id === c.id; });
                const alt = k ? t('dash.target_alt', {
                    title: c.title, value: kpiValue(k, k.value), target: kpiValue(k, k.target),
                    year: k.target_year, state: tcode('target', k.target_state || 'cannot say')
                }) : c.title;
                grid.append(h('figure', null, chartImg(chartSrc(c.id), alt),
                              h('figcaption', null, c.title)));
            }
            ts.append(grid);
            el.append(ts);
        }

        /* tables, with their charts, by section */
        const sections = [];
        for (const ds of items) {
            const s = (ds.extension && ds.extension.section) || '';
            if (sections.indexOf(s) < 0)
                sections.push(s);
        }
        for (const s of sections) {
            const sec = h('section', { class: 'tables', 'aria-labelledby': 'h-sec-' + s },
                          h('h2', { id: 'h-sec-' + s }, tcode('pillar', s)));
            for (const ds of items) {
                if (((ds.extension && ds.extension.section) || '') !== s)
                    continue;
                const tid = datasetId(ds);
                const block = h('div', { class: 'dataset' }, h('h3', null, ds.label));
                if (charts.has(tid))
                    block.append(h('figure', null,
                                   chartImg(chartSrc(tid), t('dash.chart_alt', { title: ds.label })),
                                   h('figcaption', { class: 'visually-hidden' }, ds.label)));
                block.append(datasetTable(ds, tid));
                sec.append(block);
            }
            el.append(sec);
        }
        if (ext.disclosure_note || d.audience === 'public')
            el.append(h('section', { class: 'legend', 'aria-labelledby': 'h-legend' },
                        h('h2', { id: 'h-legend' }, t('dash.legend')),
                        h('p', null, suppressedMark(), ' ', t('dash.suppressed_title')),
                        h('p', null, '– ', t('dash.novalue_title')),
                        ext.disclosure_note ? h('p', { class: 'hint', lang: 'en' },
                                                ext.disclosure_note) : null));

        /* the WPS scorecard */
        if (ext.scorecard && ext.scorecard.length)
            el.append(h('section', { 'aria-labelledby': 'h-sc' },
                        h('h2', { id: 'h-sc' }, t('dash.scorecard')),
                        scorecardTable(ext.scorecard)));

        /* statements drawn from the figures (the report's, in English) */
        if (ext.narrative) {
            const ul = h('ul', { lang: 'en' });
            for (const line of String(ext.narrative).split('\n'))
                if (line.trim())
                    ul.append(h('li', null, line.replace(/^\s*-\s*/, '')));
            el.append(h('section', { 'aria-labelledby': 'h-narr' },
                        h('h2', { id: 'h-narr' }, t('dash.narrative')), ul));
        }

        /* downloads */
        const dl = h('ul', { class: 'downloads' });
        for (const fmt of ['html', 'md', 'json', 'csv', 'xlsx']) {
            const href = (pub ? API + '/public/report' : API + '/report') +
                qs({ format: fmt, period: f.period, area: f.area, org: f.org });
            dl.append(h('li', null, h('a', { href: href, download: '', 'data-format': fmt },
                                      t('dash.format.' + fmt))));
        }
        const dsec = h('section', { class: 'no-print', 'aria-labelledby': 'h-dl' },
                       h('h2', { id: 'h-dl' }, t('dash.downloads')), dl);
        if (!pub) {
            const dlp = h('ul', { class: 'downloads' });
            for (const fmt of ['html', 'md', 'json', 'csv', 'xlsx'])
                dlp.append(h('li', null, h('a', {
                    href: API + '/report' + qs({ format: fmt, audience: 'public',
                                                period: f.period, area: f.area, org: f.org }),
                    download: '', 'data-format': 'public-' + fmt
                }, t('dash.format.' + fmt))));
            dsec.append(h('h3', null, t('dash.downloads_public')), dlp);
        }
        el.append(dsec);
    }

    /* The key indicators split by one group (GET /indicators?by=): one row per indicator that
     * can be split that way, one column per category; the others are listed with the reason. */
    async function groupSection(kpis, f, grp) {
        const sec = h('section', { class: 'by-group', 'aria-labelledby': 'h-group' },
                      h('h2', { id: 'h-group' }, t('dash.by_group', {
                          group: t('filters.group.' + grp) })));
        const res = await api('GET', '/indicators' + qs({
            period: f.period, area: f.area, org: f.org, by: grp,
            id: kpis.map(function (k) { return k.id; }).join(',') }));
        if (!res.ok) {
            sec.append(errorBox(res.error));
            return sec;
        }
        const list = res.data.indicators || [];
        const cats = [];
        for (const r of list)
            for (const c of r.cells || [])
                if (cats.indexOf(c.category[grp]) < 0)
                    cats.push(c.category[grp]);
        const split = list.filter(function (r) { return r.cells && r.cells.length; });
        if (split.length) {
            const head = h('tr', null, h('th', { scope: 'col' }, t('dash.indicator')));
            for (const c of cats)
                head.append(h('th', { scope: 'col' },
                              c === '_N' ? t('dash.unknown') : tcode('cat.' + grp, c)));
            head.append(h('th', { scope: 'col' }, t('dash.total')));
            const body = h('tbody');
            for (const r of split) {
                const row = h('tr', null, h('th', { scope: 'row', lang: 'en' }, r.title));
                const by = new Map();
                for (const c of r.cells)
                    by.set(c.category[grp], c);
                for (const c of cats) {
                    const cell = by.get(c);
                    row.append(h('td', null, cell && cell.value !== null ? kpiValue(r, cell.value)
                                                                        : '–'));
                }
                row.append(h('td', null, r.value !== null ? kpiValue(r, r.value) : '–'));
                body.append(row);
            }
            sec.append(h('div', { class: 'table-wrap' },
                         h('table', null, h('caption', null, t('dash.by_group_caption')),
                           h('thead', null, head), body)));
        }
        const not = list.filter(function (r) { return !(r.cells && r.cells.length); });
        if (not.length) {
            const ul = h('ul', { class: 'not-split' });
            for (const r of not)
                ul.append(h('li', { lang: 'en' }, r.title + (r.why ? ': ' + r.why : '')));
            sec.append(h('details', null, h('summary', null, t('dash.not_split', { n: not.length })),
                         ul));
        }
        return sec;
    }

    VIEWS.dashboard = function (el, ctx) { return dashboardView(el, ctx, false); };
    VIEWS.public = function (el, ctx) { return dashboardView(el, ctx, true); };

    /* ---- data quality -------------------------------------------------------------------- */

    function qualityTable(list, caption, showOrg) {
        const cols = (showOrg ? ['quality.org'] : []).concat(['quality.check', 'quality.level',
                                                            'quality.kind', 'quality.record',
                                                            'quality.what', 'quality.fix']);
        const body = h('tbody');
        for (const f of list)
            body.append(h('tr', { class: 'level-' + f.level },
                          showOrg ? h('td', null, f.org) : null,
                          h('td', null, tcode('check', f.check)),
                          h('td', null, badge(f.level, tcode('qlevel', f.level))),
                          h('td', null, f.kind), h('td', null, f.record),
                          h('td', null, h('span', { lang: 'en' }, f.what)),
                          h('td', null, h('span', { lang: 'en' }, f.fix))));
        return scroller(h('table', { class: 'list' }, h('caption', null, caption),
                          h('thead', null, h('tr', null, cols.map(function (k) {
                              return h('th', { scope: 'col' }, t(k));
                          }))), body), caption);
    }

    VIEWS.quality = async function (el, ctx) {
        const q = ctx.r.query;
        const f = { period: q.get('period') || '', org: role() === 'operator' ? ''
            : q.get('org') || '' };
        el.append(h('h1', null, t('quality.title')), h('p', null, t('quality.intro')));
        const period = h('input', { id: 'q-period', type: 'text', value: f.period,
                                    autocomplete: 'off', placeholder: '2025' });
        const org = h('input', { id: 'q-org', type: 'text', value: f.org, autocomplete: 'off',
                                 placeholder: 'OP-01' });
        const form = h('form', { class: 'filters', role: 'search',
                                 'aria-label': t('filters.label') },
                       field(t('filters.period'), period, t('filters.period_hint')),
                       role() === 'operator' ? null : field(t('filters.org'), org),
                       h('div', { class: 'actions' },
                         h('button', { type: 'submit', class: 'primary' }, t('filters.apply'))));
        form.addEventListener('submit', function (e) {
            e.preventDefault();
            go('quality', null, { period: period.value.trim(), org: org.value.trim() });
        });
        el.append(form);
        const res = await api('GET', '/quality' + qs(f));
        if (!ctx.live())
            return;
        if (!res.ok)
            return el.append(errorBox(res.error));
        const list = res.data.findings || [];
        el.append(h('p', { class: 'period' }, t('dash.period', { period: res.data.period })));
        if (!list.length)
            return el.append(h('p', { class: 'ok-line' }, t('quality.none')));
        const orgs = [];
        for (const x of list)
            if (orgs.indexOf(x.org) < 0)
                orgs.push(x.org);
        orgs.sort();
        const summary = h('tbody');
        for (const o of orgs) {
            const mine = list.filter(function (x) { return x.org === o; });
            const count = function (lv) {
                return mine.filter(function (x) { return x.level === lv; }).length;
            };
            summary.append(h('tr', null, h('th', { scope: 'row' }, o || t('quality.centre')),
                             h('td', { class: 'num' }, fmtInt(count('problem'))),
                             h('td', { class: 'num' }, fmtInt(count('warning'))),
                             h('td', { class: 'num' }, fmtInt(count('info')))));
        }
        const cap = t('quality.summary_caption');
        el.append(h('h2', null, t('quality.summary')),
                  scroller(h('table', { class: 'list' }, h('caption', null, cap),
                             h('thead', null, h('tr', null,
                                                h('th', { scope: 'col' }, t('quality.org')),
                                                h('th', { scope: 'col', class: 'num' },
                                                  tcode('qlevel', 'problem')),
                                                h('th', { scope: 'col', class: 'num' },
                                                  tcode('qlevel', 'warning')),
                                                h('th', { scope: 'col', class: 'num' },
                                                  tcode('qlevel', 'info')))),
                             summary), cap));
        for (const o of orgs) {
            const mine = list.filter(function (x) { return x.org === o; });
            el.append(h('h2', null, t('quality.for_org', { org: o || t('quality.centre') })),
                      qualityTable(mine, tn('quality.caption', mine.length), false));
        }
    };

    /* ---- victim assistance: cases and referrals ------------------------------------------- */

    VIEWS.cases = async function (el, ctx) {
        /* Personal values live only in the dialog while it is open, and in no variable after. */
        state.cleanup = function () { closeDialog(); };
        el.append(h('h1', null, t('cases.title')), h('p', null, t('cases.intro')));
        if (state.config && state.config.case_key === false)
            el.append(h('p', { class: 'note' }, t('cases.no_key')));
        const res = await api('GET', '/cases');
        if (!ctx.live())
            return;
        if (!res.ok)
            return el.append(errorBox(res.error));
        const list = res.data.cases || [];
        if (!list.length)
            return el.append(h('p', { class: 'empty' }, t('cases.none')));
        const cols = ['cases.id', 'cases.org', 'cases.victim_type', 'cases.outcome', 'cases.sex',
                      'cases.age', 'cases.disability', 'cases.injury', 'cases.needs',
                      'cases.unmet', 'cases.action'];
        const body = h('tbody');
        for (const c of list) {
            const btn = h('button', { type: 'button', class: 'open-case',
                                      'data-id': c.survivor_id, disabled: c.erased },
                          t('cases.open'));
            btn.addEventListener('click', function () { openCase(c.survivor_id); });
            body.append(h('tr', { 'data-id': c.survivor_id },
                          h('th', { scope: 'row' }, c.survivor_id,
                            c.erased ? [' ', badge('erased', t('cases.erased'))] : null),
                          h('td', null, c.organisation), h('td', null, c.victim_type),
                          h('td', null, c.outcome), h('td', null, c.sex),
                          h('td', null, c.age !== null && c.age !== undefined ? String(c.age)
                              : c.age_band),
                          h('td', null, c.disability), h('td', null, fmtDate(c.date_of_injury)),
                          h('td', { class: 'num' }, fmtInt(c.needs)),
                          h('td', { class: 'num' }, c.unmet > 0 ? badge('unmet', fmtInt(c.unmet))
                              : fmtInt(c.unmet)),
                          h('td', null, btn)));
        }
        const cap = tn('cases.caption', list.length);
        el.append(scroller(h('table', { class: 'list' }, h('caption', null, cap),
                             h('thead', null, h('tr', null, cols.map(function (k) {
                                 return h('th', { scope: 'col' }, t(k));
                             }))), body), cap));
    };

    function openCase(id) {
        const reason = h('textarea', { id: 'case-reason', rows: '3', required: true,
                                       minlength: '3' });
        const body = h('div', null, h('p', null, t('cases.reason_explain', { id: id })),
                       field(t('cases.reason'), reason, t('cases.reason_hint')));
        openDialog({
            title: t('cases.open_title', { id: id }),
            body: body,
            ok: t('cases.open_ok'),
            onok: async function () {
                if (reason.value.trim().length < 3) {
                    reason.focus();
                    return h('span', null, t('cases.reason_short'));
                }
                const res = await api('POST', '/cases/' + encodeURIComponent(id) + '/open',
                                      { reason: reason.value.trim() });
                if (!res.ok)
                    return errorLine(res.error);
                /* show the record in the dialog; it goes when the dialog closes */
                const rows = h('tbody');
                for (const f of res.data.record || [])
                    rows.append(h('tr', null, h('th', { scope: 'row' }, f.field),
                                  h('td', null, f.value)));
                const cap = t('cases.record_caption', { id: id });
                $('#dialog-body').replaceChildren(
                    h('p', { class: 'note' }, t('cases.audited')),
                    scroller(h('table', { class: 'list record' }, h('caption', null, cap),
                               h('thead', null, h('tr', null,
                                                  h('th', { scope: 'col' }, t('cases.field')),
                                                  h('th', { scope: 'col' }, t('cases.value')))),
                               rows), cap));
                $('#dialog-ok').hidden = true;
                $('#dialog-cancel').textContent = t('dialog.close');
                $('#dialog-cancel').focus();
                dialogSubmit = null;
                return null;
            }
        });
    }

    VIEWS.referrals = async function (el, ctx) {
        el.append(h('h1', null, t('ref.title')), h('p', null, t('ref.intro')));
        const res = await api('GET', '/referrals');
        if (!ctx.live())
            return;
        if (!res.ok)
            return el.append(errorBox(res.error));
        const list = res.data.referrals || [];
        if (!list.length)
            return el.append(h('p', { class: 'empty' }, t('ref.none')));
        const over = list.filter(function (r) { return r.days_overdue > 0; }).length;
        if (over)
            el.append(h('p', { class: 'warn-line' }, tn('ref.overdue_count', over)));
        const cols = ['ref.id', 'ref.survivor', 'ref.element', 'ref.to', 'ref.provider_type',
                      'ref.status', 'ref.referred', 'ref.due', 'ref.overdue', 'ref.outcome'];
        const body = h('tbody');
        for (const r of list)
            body.append(h('tr', { class: r.days_overdue > 0 ? 'overdue' : null,
                                  'data-id': r.referral_id },
                          h('th', { scope: 'row' }, r.referral_id),
                          h('td', null, r.survivor_id), h('td', null, r.element),
                          h('td', null, r.to_provider), h('td', null, r.provider_type),
                          h('td', null, r.status), h('td', null, fmtDate(r.date_referred)),
                          h('td', null, fmtDate(r.due_date)),
                          h('td', null, r.days_overdue > 0 ? badge('overdue',
                                                                    tn('ref.days_overdue',
                                                                       r.days_overdue)) : ''),
                          h('td', null, r.outcome,
                            r.outcome_date ? ' (' + fmtDate(r.outcome_date) + ')' : '')));
        const cap = tn('ref.caption', list.length);
        el.append(scroller(h('table', { class: 'list' }, h('caption', null, cap),
                             h('thead', null, h('tr', null, cols.map(function (k) {
                                 return h('th', { scope: 'col' }, t(k));
                             }))), body), cap));
    };

    /* ---- admin: accounts ------------------------------------------------------------------ */

    VIEWS.users = async function (el, ctx) {
        el.append(h('h1', null, t('users.title')));
        const listBox = h('div');
        const name = h('input', { id: 'u-name', type: 'text', autocomplete: 'off',
                                  autocapitalize: 'none', spellcheck: 'false', required: true,
                                  pattern: '[a-z0-9._\\-]{2,64}' });
        const rsel = h('select', { id: 'u-role' }, ROLES.map(function (r) {
            return h('option', { value: r }, tcode('role', r));
        }));
        const org = h('input', { id: 'u-org', type: 'text', autocomplete: 'off' });
        const pw = h('input', { id: 'u-password', type: 'password', autocomplete: 'new-password',
                                required: true, minlength: '12' });
        const msg = h('div', { 'aria-live': 'polite', id: 'u-msg' });
        const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'u-h' },
                       h('h2', { id: 'u-h' }, t('users.add_title')),
                       field(t('users.name'), name, t('users.name_hint')),
                       field(t('users.role'), rsel),
                       field(t('users.org'), org, t('users.org_hint')),
                       field(t('users.password'), pw, t('users.password_hint')), msg,
                       h('div', { class: 'actions' },
                         h('button', { type: 'submit', class: 'primary' }, t('users.add'))));
        form.addEventListener('submit', async function (e) {
            e.preventDefault();
            msg.replaceChildren();
            const res = await api('POST', '/users', { user: name.value.trim(), role: rsel.value,
                                                      org: org.value.trim(), password: pw.value });
            pw.value = '';
            if (!res.ok) {
                msg.append(errorBox(res.error));
                return;
            }
            msg.append(h('p', { class: 'ok-line' }, t('users.added', { user: res.data.user })));
            announce(t('users.added', { user: res.data.user }));
            name.value = '';
            org.value = '';
            await loadList();
        });
        async function loadList() {
            const res = await api('GET', '/users');
            if (!ctx.live())
                return;
            listBox.replaceChildren();
            if (!res.ok)
                return listBox.append(errorBox(res.error));
            const body = h('tbody');
            for (const u of res.data.users || [])
                body.append(h('tr', { 'data-user': u.user }, h('th', { scope: 'row' }, u.user),
                              h('td', null, tcode('role', u.role)), h('td', null, u.org),
                              h('td', null, u.disabled ? badge('disabled', t('users.disabled'))
                                  : t('users.active'))));
            const cap = tn('users.caption', (res.data.users || []).length);
            listBox.append(scroller(h('table', { class: 'list' }, h('caption', null, cap),
                                      h('thead', null, h('tr', null, ['users.name', 'users.role',
                                                                      'users.org',
                                                                      'users.status']
                                          .map(function (k) {
                                              return h('th', { scope: 'col' }, t(k));
                                          }))), body), cap));
        }
        el.append(listBox, form);
        await loadList();
    };

    /* ---- start ----------------------------------------------------------------------------- */

    async function start() {
        dialogSetup();
        $('#skip').addEventListener('click', function (e) {
            e.preventDefault();
            const h1 = $('#main h1');
            (h1 || $('#main')).focus();
        });
        $('#logout').addEventListener('click', logout);
        $('#lang').addEventListener('change', async function (e) {
            await setLanguage(e.target.value);
            await render();
            $('#lang').focus();
        });
        await setLanguage(initialLanguage());
        const cfg = await api('GET', '/config');
        state.config = cfg.ok ? cfg.data : { public_dashboard: false, accounts: true };
        const wantPublic = parseHash().name === 'public';
        if (!wantPublic || state.config.public_dashboard) {
            const me = await fetch(API + '/me', { credentials: 'same-origin', cache: 'no-store' });
            if (me.ok) {
                state.me = await me.json();
                state.csrf = state.me.csrf;
            }
        }
        window.addEventListener('hashchange', render);
        await render();
    }

    document.addEventListener('DOMContentLoaded', function () {
        start().catch(function (e) {
            $('#main').replaceChildren(h('p', { class: 'error', role: 'alert' },
                                         'madi: ' + (e && e.message ? e.message : e)));
        });
    });
})();
