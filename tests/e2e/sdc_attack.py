#!/usr/bin/env python3
"""Attack a published JSON-stat report the way an adversary would.

Every dataset that says it is additive gives equations: along each dimension, the _T cell is
the sum of the others. Datasets of the same measure share their cells (a margin in one is a
cell in another), so the equations of the whole report are solved together. The unknowns are
the cells published as null with status "c".

Two attacks, written independently of madi's own code:
  1. exact: a hidden cell is recoverable when its unit vector lies in the row space of the
     equations restricted to the unknowns (rank test with numpy);
  2. interval: with the counts non-negative, linear programming (scipy) gives the smallest and
     largest value each hidden cell can take; an interval narrower than k pins it down.
Exit 1 (and say which cell) if either succeeds, or if a published count is 1..k-1.
Usage: sdc_attack.py REPORT.json | --self-test (the attack must break a weakly protected table)
"""
import itertools
import json
import sys
import warnings

import numpy as np
from scipy.optimize import linprog


def datasets(x, out):
    if isinstance(x, dict):
        if x.get('class') == 'dataset':
            out.append(x)
        for v in x.values():
            datasets(v, out)
    elif isinstance(x, list):
        for v in x:
            datasets(v, out)
    return out


def solve(c, A, b, Aub=None, bub=None):
    """Bounds by linear programming. Debian 12's scipy (1.10) aborts inside HiGHS on some of
    these systems, so the revised simplex is used where it exists."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return linprog(c, A_ub=Aub, b_ub=bub, A_eq=A, b_eq=b, bounds=(0, None),
                           method='revised simplex')
        except ValueError:
            return linprog(c, A_ub=Aub, b_ub=bub, A_eq=A, b_eq=b, bounds=(0, None),
                           method='highs')


def main(path):
    doc = json.load(open(path))
    k = doc.get('extension', {}).get('k', 5)
    sets = datasets(doc, [])
    index = {}   # (measure, frozenset of (dim, code) not at total) -> variable
    value = []   # known value or None
    eqs = []
    where = []
    small = []

    def var(measure, coords, v, label):
        key = (measure, frozenset((d, c) for d, c in coords if c != '_T'))
        if key not in index:
            index[key] = len(value)
            value.append(v)
            where.append(label)
        return index[key]

    for ds in sets:
        measure = ds['extension']['measure']
        dims = ds['id']
        cats = []
        for d in dims:
            idx = ds['dimension'][d]['category']['index']
            cats.append(sorted(idx, key=lambda c: idx[c]))
        cells = {}
        for n, combo in enumerate(itertools.product(*cats)):
            v = ds['value'][n]
            coords = list(zip(dims, combo))
            cells[combo] = var(measure, coords, v, (ds['label'], combo))
            if isinstance(v, (int, float)) and 0 < v < k:
                small.append((ds['label'], combo, v))
        if not ds['extension'].get('additive', True):
            continue
        for di, d in enumerate(dims):
            others = [cats[j] for j in range(len(dims)) if j != di]
            for rest in itertools.product(*others):
                def at(c):
                    full = list(rest)
                    full.insert(di, c)
                    return cells[tuple(full)]
                parts = [at(c) for c in cats[di] if c != '_T']
                eqs.append((at('_T'), parts))

    if small:
        print('published small counts:', small[:5])
        return 1
    # shares the report publishes, with the table cells they are made of: each value, rounded,
    # is a pair of inequalities between the cells
    shares = []
    for ind in doc.get('extension', {}).get('indicators', []):
        comp = ind.get('composition')
        if not comp or ind.get('value') is None or ind['unit'] not in ('percent', 'ratio'):
            continue
        half = 0.05 / 100 if ind['unit'] == 'percent' else 0.005
        s = ind['value'] / 100 if ind['unit'] == 'percent' else ind['value']
        sides = []
        for part in ('numerator', 'denominator'):
            cells = []
            for c in comp[part]:
                key = (c['measure'], frozenset((d, v) for d, v in c['category'].items() if v != '_T'))
                if key not in index:
                    break
                cells.append(index[key])
            else:
                sides.append(cells)
                continue
            break
        if len(sides) == 2:
            shares.append((sides[0], sides[1], s - half, s + half, ind['id']))
    unknown = [i for i, v in enumerate(value) if v is None]
    col = {v: j for j, v in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in eqs:
        coef = np.zeros(len(unknown))
        b = 0.0
        for v, c in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if value[v] is None:
                coef[col[v]] += c
            else:
                b -= c * value[v]
        if np.any(coef):
            rows.append(coef)
            rhs.append(b)
    print(f'{len(sets)} datasets, {len(value)} cells, {len(unknown)} hidden, {len(rows)} equations')
    if not unknown:
        return 0
    A = np.array(rows) if rows else np.zeros((0, len(unknown)))
    b = np.array(rhs)
    ub, ubr = [], []
    for num, den, lo, hi, _ in shares:
        # lo * D - N <= 0 and N - hi * D <= 0, the known cells moved to the right
        for sign, s in ((1, lo), (-1, hi)):
            coef = np.zeros(len(unknown))
            r = 0.0
            for v in num:
                c = -1.0 * sign
                if value[v] is None:
                    coef[col[v]] += c
                else:
                    r -= c * value[v]
            for v in den:
                c = s * sign
                if value[v] is None:
                    coef[col[v]] += c
                else:
                    r -= c * value[v]
            if np.any(coef):
                ub.append(coef)
                ubr.append(r)
            elif r < -1e-9:
                print('a published share contradicts the tables:', _)
    Aub = np.array(ub) if ub else None
    bub = np.array(ubr) if ub else None
    if ub:
        print(f'{len(shares)} shares tied to the tables: {len(ub)} inequalities on hidden cells')
    rank = np.linalg.matrix_rank(A) if len(rows) else 0
    bad = 0
    for j, v in enumerate(unknown):
        e = np.zeros(len(unknown))
        e[j] = 1
        if len(rows) and np.linalg.matrix_rank(np.vstack([A, e])) == rank:
            print('recoverable exactly:', where[v])
            bad += 1
            continue
        if not len(rows):
            continue
        lo = solve(e, A, b, Aub, bub)
        hi = solve(-e, A, b, Aub, bub)
        if lo.status != 0:
            print('the published equations are inconsistent at', where[v], lo.message)
            bad += 1
            continue
        width = float('inf') if hi.status == 3 else (-hi.fun) - lo.fun
        if width < k - 1e-6:
            print(f'pinned to [{lo.fun:.1f}, {-hi.fun:.1f}]:', where[v])
            bad += 1
    print('attack:', 'succeeded on %d cells' % bad if bad else 'no hidden cell recovered')
    return 1 if bad else 0


def self_test():
    """The attack must succeed on a table protected by primary suppression alone."""
    import os
    import tempfile
    weak = {'class': 'collection', 'extension': {'k': 5}, 'link': {'item': [{
        'class': 'dataset', 'id': ['sex', 'area'], 'size': [3, 3], 'label': 'weak',
        'extension': {'measure': 'm', 'additive': True},
        'dimension': {d: {'category': {'index': {c: i for i, c in enumerate(cs)}}}
                      for d, cs in (('sex', ['F', 'M', '_T']), ('area', ['A', 'B', '_T']))},
        # F/A = 3 hidden alone: row F gives it back (13 - 10)
        'value': [None, 10, 13, 8, 12, 20, 11, 22, 33], 'status': {'0': 'c'}}]}}
    fd, path = tempfile.mkstemp(suffix='.json')
    with os.fdopen(fd, 'w') as f:
        json.dump(weak, f)
    rc = main(path)
    os.unlink(path)
    return 0 if rc == 1 else 1


if __name__ == '__main__':
    if sys.argv[1] == '--self-test':
        sys.exit(self_test())
    sys.exit(main(sys.argv[1]))
