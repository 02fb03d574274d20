import { memo } from 'react';
import type { ColumnInfo, StructureSummary } from '../../../core/contract/equimol-api';
import { domainFlags, formatEntry, valueEntries } from '../prediction-values';

/**
 * Side panel section: the selected structure's predictions, one group per predictor, each value with its ensemble
 * spread ("gap 7.42 ± 0.08 eV") and a badge when the predictor flags the structure outside its domain.
 */
export const PredictionsSection = memo(function PredictionsSection(props: { readonly summary: StructureSummary | undefined; readonly columns: readonly ColumnInfo[] }) {
  const { summary, columns } = props;
  const predicted = columns.filter((c) => c.source !== 'file');
  if (!summary || predicted.length === 0) return null;
  const entries = valueEntries(predicted, summary.values);
  const flags = domainFlags(predicted, summary.values);
  if (entries.length === 0 && flags.length === 0) return null;
  const sources = [...new Set([...entries.map((e) => e.source), ...flags.map((f) => f.source)])];
  return (
    <div className="section">
      <div className="section-title">Predictions</div>
      <div className="section-body props-scroll" data-testid="predictions">
        {sources.map((source) => (
          <div key={source} className="prediction-group" data-source={source}>
            <div className="prediction-source muted" title={source}>
              {source}
            </div>
            {flags
              .filter((f) => f.source === source)
              .map((flag, i) => (
                <div key={i} className="badge warn domain-flag" role="status" title={`${source}: outside what the model was trained on — ${flag.reason}`} data-testid="domain-flag">
                  ⚠ out of domain: {flag.reason}
                </div>
              ))}
            <table className="props">
              <tbody>
                {entries
                  .filter((e) => e.source === source)
                  .map((entry) => (
                    <tr key={entry.key} data-testid="prediction" data-key={entry.key}>
                      <td title={entry.key}>{entry.label}</td>
                      <td className="mono">{formatEntry(entry)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </div>
  );
});
