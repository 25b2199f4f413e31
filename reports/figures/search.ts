/**
 * The search figure (`kvlab search --report`): latency against the offered rate. Top: each SLO
 * clause's measured intended-start percentile (µs, log) at every step's target rate (ops/s, log),
 * each step marked pass (circle) or fail (cross), the clause's bound as a dashed line, the knee
 * (harness/slo-search.ts kneeOf) as a star, and the highest passing rate as a dotted vertical
 * line. Bottom: achieved against target throughput with the y = x line and the
 * minimum-achieved line, which shows the steps that failed for not keeping up.
 */
import type { SearchFile } from '../../harness/search-results.js';
import { escapePlotlyText } from '../escape.js';
import { formatNs } from '../model.js';
import { baseLayout, seriesColor, type Figure, type Trace } from './figure.js';

const PASS = '#009E73';
const FAIL = '#D55E00';

/** The short context line inside the chart (the page states the full one). */
function chartContext(s: SearchFile): string {
  const rc = s.workload.properties.recordcount ?? '?';
  return `${s.engine.label} · durability ${s.engine.durability} · ${rc} records · seed ${s.workload.seed} · ${s.harness.stepSeconds} s steps`;
}

/** The latency-vs-rate figure of a search file (module doc). */
export function searchFigure(s: SearchFile): Figure {
  const steps = [...s.steps].sort((a, b) => a.target - b.target);
  const data: Trace[] = [];
  const xs = steps.map((st) => st.target);
  const xMin = Math.min(...xs, s.harness.startRate) / 1.2;
  const xMax = Math.max(...xs, s.harness.startRate) * 1.2;
  const values = steps.flatMap((st) => st.clauses.map((c) => c.measuredNs)).filter((v): v is number => v !== null && v > 0);
  const limits = s.slo.clauses.map((c) => c.limitNs);
  const yMin = Math.min(...values, ...limits) / 1e3 / 2;
  const yMax = Math.max(...values, ...limits) / 1e3 * 2;
  s.slo.clauses.forEach((clause, ci) => {
    const name = escapePlotlyText(clause.text);
    const color = seriesColor(ci);
    const pts = steps.filter((st) => st.clauses[ci]!.measuredNs !== null);
    data.push({
      type: 'scatter', mode: 'lines+markers', name, legendgroup: name, x: pts.map((st) => st.target), y: pts.map((st) => st.clauses[ci]!.measuredNs! / 1e3),
      line: { color, width: 1.5 },
      marker: { size: 10, symbol: pts.map((st) => (st.pass ? 'circle' : 'x')), color: pts.map((st) => (st.pass ? PASS : FAIL)), line: { color, width: 1 } },
      hovertext: pts.map((st) => escapePlotlyText(`step ${st.index + 1} (${st.stage}) · target ${Math.round(st.target)} · achieved ${Math.round(st.achieved)} ops/s · ${clause.text}: ${formatNs(st.clauses[ci]!.measuredNs)} · ${st.pass ? 'pass' : `fail: ${st.reasons.join('; ')}`}`)),
      hoverinfo: 'text', xaxis: 'x', yaxis: 'y',
    });
    data.push({
      type: 'scatter', mode: 'lines', name: escapePlotlyText(`bound ${clause.text}`), legendgroup: name, x: [xMin, xMax], y: [clause.limitNs / 1e3, clause.limitNs / 1e3],
      line: { color, dash: 'dash', width: 1 }, hoverinfo: 'name', xaxis: 'x', yaxis: 'y',
    });
  });
  if (s.knee.rate !== null && s.knee.valueNs !== null) {
    data.push({
      type: 'scatter', mode: 'markers', name: escapePlotlyText(`knee (${s.knee.factor}× the lowest-rate ${s.knee.clause.replace(/[<].*$/, '')})`),
      x: [s.knee.rate], y: [s.knee.valueNs / 1e3], marker: { symbol: 'star', size: 16, color: '#000000' },
      hovertext: [escapePlotlyText(`knee at ${Math.round(s.knee.rate)} ops/s: ${formatNs(s.knee.valueNs)} ≥ ${s.knee.factor} × ${formatNs(s.knee.baselineNs)}`)], hoverinfo: 'text', xaxis: 'x', yaxis: 'y',
    });
  }
  const best = s.result.highestPassingRate;
  if (best !== null) {
    data.push({
      type: 'scatter', mode: 'lines', name: escapePlotlyText(`highest passing rate ${Math.round(best)} ops/s`), x: [best, best], y: [yMin, yMax],
      line: { color: PASS, dash: 'dot', width: 2 }, hoverinfo: 'name', xaxis: 'x', yaxis: 'y',
    });
  }
  data.push({
    type: 'scatter', mode: 'markers', name: 'achieved throughput', x: xs, y: steps.map((st) => st.achieved),
    marker: { size: 8, symbol: steps.map((st) => (st.keptUp ? 'circle' : 'x')), color: steps.map((st) => (st.keptUp ? PASS : FAIL)) },
    hovertext: steps.map((st) => escapePlotlyText(`step ${st.index + 1}: achieved ${Math.round(st.achieved)} of ${Math.round(st.target)} ops/s`)), hoverinfo: 'text', xaxis: 'x', yaxis: 'y2',
  });
  data.push({ type: 'scatter', mode: 'lines', name: 'achieved = target', x: [xMin, xMax], y: [xMin, xMax], line: { color: '#777777', width: 1 }, hoverinfo: 'name', xaxis: 'x', yaxis: 'y2' });
  data.push({
    type: 'scatter', mode: 'lines', name: escapePlotlyText(`${Math.round(s.harness.minAchievedFraction * 100)}% of target (pass line)`), x: [xMin, xMax],
    y: [xMin * s.harness.minAchievedFraction, xMax * s.harness.minAchievedFraction], line: { color: '#777777', width: 1, dash: 'dash' }, hoverinfo: 'name', xaxis: 'x', yaxis: 'y2',
  });
  const title = `Highest rate under the SLO: ${s.engine.label} on ${s.workload.name}`;
  return {
    id: '', section: 'latency', title, height: 680, data,
    layout: baseLayout(title, chartContext(s), {
      grid: { rows: 2, columns: 1, shared_xaxes: true },
      xaxis: { title: { text: 'target rate (ops/s, log)' }, type: 'log', anchor: 'y2', range: [Math.log10(xMin), Math.log10(xMax)] },
      yaxis: { title: { text: 'intended-start latency (µs, log)' }, type: 'log', domain: [0.4, 1], range: [Math.log10(yMin), Math.log10(yMax)] },
      yaxis2: { title: { text: 'achieved (ops/s, log)' }, type: 'log', domain: [0, 0.3] },
    }),
    notes: [`Knee: ${s.knee.definition}.`],
  };
}
