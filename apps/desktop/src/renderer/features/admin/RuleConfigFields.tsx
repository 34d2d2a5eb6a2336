import { useState } from 'react';
import { parseLines, type RuleConfig, type RuleField } from './rule-draft.js';
import { ErrorText, errorProps, type FieldError } from './RuleFieldError.js';

/** A list typed one entry per line; the text stays as typed (blank lines included) while it is edited. */
function LinesField({
  label,
  hint,
  field,
  values,
  error,
  onChange,
}: {
  label: string;
  hint: string;
  field: RuleField;
  values: readonly string[];
  error: FieldError;
  onChange(values: string[]): void;
}) {
  const [text, setText] = useState(values.join('\n'));
  return (
    <label className="field">
      <span>{label}</span>
      <textarea
        className="input textarea mono"
        rows={4}
        value={text}
        spellCheck={false}
        {...errorProps(error, field)}
        onChange={(e) => {
          setText(e.target.value);
          onChange(parseLines(e.target.value));
        }}
      />
      <span className="hint">{hint}</span>
      <ErrorText error={error} field={field} />
    </label>
  );
}

function NumberField({
  label,
  value,
  min,
  max,
  step,
  onChange,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  onChange(value: number): void;
}) {
  return (
    <label className="field narrow">
      <span>{label}</span>
      <input
        className="input"
        type="number"
        min={min}
        max={max}
        step={step ?? 1}
        value={value}
        onChange={(e) => {
          const n = Number(e.target.value);
          if (Number.isFinite(n)) onChange(n);
        }}
      />
    </label>
  );
}

/** The fields of one rule kind. */
export function RuleConfigFields({
  config,
  error,
  onChange,
}: {
  config: RuleConfig;
  error: FieldError;
  onChange(config: RuleConfig): void;
}) {
  switch (config.kind) {
    case 'keywords':
      return (
        <>
          <LinesField
            label="Keywords"
            hint="One word or phrase per line; * at either end matches a prefix or suffix (spam*). Leet, look-alikes, spacing and repeated letters are caught."
            field="keywords"
            values={config.keywords}
            error={error}
            onChange={(keywords) => onChange({ ...config, keywords })}
          />
          <LinesField
            label="Patterns"
            hint="Regular expressions (RE2: no backreferences or lookaround), one per line, at most 10."
            field="patterns"
            values={config.patterns}
            error={error}
            onChange={(patterns) => onChange({ ...config, patterns })}
          />
          <LinesField
            label="Always allowed"
            hint="Words never matched, even when a keyword would be (scunthorpe)."
            field="allow"
            values={config.allow}
            error={error}
            onChange={(allow) => onChange({ ...config, allow })}
          />
          <label className="check-row">
            <input
              type="checkbox"
              checked={config.preset}
              onChange={(e) => onChange({ ...config, preset: e.target.checked })}
            />
            Also use the bundled English profanity list
          </label>
        </>
      );
    case 'links':
      return (
        <>
          <label className="field narrow">
            <span>Links</span>
            <select
              className="select"
              value={config.mode}
              onChange={(e) => onChange({ ...config, mode: e.target.value as typeof config.mode })}
            >
              <option value="allow_list">Only to allowed domains</option>
              <option value="block_all">None at all</option>
            </select>
          </label>
          {config.mode === 'allow_list' && (
            <LinesField
              label="Allowed domains"
              hint="example.com, or *.example.com for its subdomains too; one per line."
              field="allowDomains"
              values={config.allowDomains}
              error={error}
              onChange={(allowDomains) => onChange({ ...config, allowDomains })}
            />
          )}
        </>
      );
    case 'mention_spam':
      return (
        <NumberField
          label="Most people mentioned in one message"
          value={config.maxMentions}
          min={1}
          max={50}
          onChange={(maxMentions) => onChange({ ...config, maxMentions })}
        />
      );
    case 'caps':
      return (
        <div className="field-row">
          <NumberField
            label="Largest share of capitals"
            value={config.maxRatio}
            min={0.3}
            max={1}
            step={0.05}
            onChange={(maxRatio) => onChange({ ...config, maxRatio })}
          />
          <NumberField
            label="Only messages with at least … letters"
            value={config.minLetters}
            min={1}
            max={200}
            onChange={(minLetters) => onChange({ ...config, minLetters })}
          />
        </div>
      );
    case 'repeats':
      return (
        <div className="field-row">
          <NumberField
            label="Same message allowed"
            value={config.maxRepeats}
            min={1}
            max={20}
            onChange={(maxRepeats) => onChange({ ...config, maxRepeats })}
          />
          <NumberField
            label="Within (seconds)"
            value={config.windowSeconds}
            min={1}
            max={3600}
            onChange={(windowSeconds) => onChange({ ...config, windowSeconds })}
          />
        </div>
      );
    case 'flood':
      return (
        <div className="field-row">
          <NumberField
            label="Messages allowed"
            value={config.maxMessages}
            min={1}
            max={100}
            onChange={(maxMessages) => onChange({ ...config, maxMessages })}
          />
          <NumberField
            label="Within (seconds)"
            value={config.windowSeconds}
            min={1}
            max={600}
            onChange={(windowSeconds) => onChange({ ...config, windowSeconds })}
          />
        </div>
      );
    case 'slow_mode':
      return (
        <NumberField
          label="One message every (seconds)"
          value={config.intervalSeconds}
          min={1}
          max={21_600}
          onChange={(intervalSeconds) => onChange({ ...config, intervalSeconds })}
        />
      );
    case 'new_account':
      return (
        <>
          <NumberField
            label="Accounts younger than (minutes)"
            value={config.minAgeMinutes}
            min={1}
            max={43_200}
            onChange={(minAgeMinutes) => onChange({ ...config, minAgeMinutes })}
          />
          <label className="check-row">
            <input
              type="checkbox"
              checked={config.linksOnly}
              onChange={(e) => onChange({ ...config, linksOnly: e.target.checked })}
            />
            Only messages with links
          </label>
        </>
      );
  }
}
