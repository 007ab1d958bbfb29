// The utility classes at the end of site.css (spacing, colour, layout), in the style of the small
// utility frameworks many shops ship: every class again for wide screens, most of it never used.

const SPACE = { 0: '0', 1: 'var(--space-1)', 2: 'var(--space-2)', 3: 'var(--space-3)', 4: 'var(--space-4)', 5: 'var(--space-5)', 6: 'var(--space-6)', 7: 'var(--space-7)', 8: 'var(--space-8)', auto: 'auto' };

const SIDES = {
  '': [''],
  t: ['-top'],
  r: ['-right'],
  b: ['-bottom'],
  l: ['-left'],
  x: ['-left', '-right'],
  y: ['-top', '-bottom'],
};

const COLOURS = ['ink', 'ink-soft', 'muted', 'paper', 'paper-deep', 'card', 'line', 'indigo', 'indigo-deep', 'saffron', 'saffron-soft', 'moss', 'clay', 'rosehip', 'success', 'danger'];

const FONT_SIZES = { xs: '0.75rem', sm: '0.875rem', base: '1rem', lg: '1.125rem', xl: '1.25rem', '2xl': '1.5rem', '3xl': '1.875rem', '4xl': '2.25rem' };

const BREAKPOINTS = { md: '820px' };

/** Every utility as [class name, declarations]. */
function utilities() {
  const rules = [];
  for (const [property, short] of [['margin', 'm'], ['padding', 'p']]) {
    for (const [side, suffixes] of Object.entries(SIDES)) {
      for (const [step, value] of Object.entries(SPACE)) {
        if (short === 'p' && step === 'auto') continue;
        rules.push([`${short}${side}-${step}`, suffixes.map((suffix) => `${property}${suffix}: ${value}`)]);
      }
    }
  }
  for (const [step, value] of Object.entries(SPACE)) if (step !== 'auto') rules.push([`gap-${step}`, [`gap: ${value}`]]);
  for (const colour of COLOURS) {
    rules.push([`text-${colour}`, [`color: var(--${colour})`]]);
    rules.push([`bg-${colour}`, [`background-color: var(--${colour})`]]);
    rules.push([`border-${colour}`, [`border-color: var(--${colour})`]]);
  }
  for (const display of ['block', 'inline-block', 'inline', 'flex', 'inline-flex', 'grid', 'contents']) rules.push([display, [`display: ${display}`]]);
  rules.push(['hidden', ['display: none']]);
  for (const [name, value] of [['start', 'flex-start'], ['center', 'center'], ['end', 'flex-end'], ['baseline', 'baseline'], ['stretch', 'stretch']]) {
    rules.push([`items-${name}`, [`align-items: ${value}`]]);
    rules.push([`self-${name}`, [`align-self: ${value}`]]);
  }
  for (const [name, value] of [['start', 'flex-start'], ['center', 'center'], ['end', 'flex-end'], ['between', 'space-between'], ['around', 'space-around']]) {
    rules.push([`justify-${name}`, [`justify-content: ${value}`]]);
  }
  rules.push(['flex-row', ['flex-direction: row']], ['flex-col', ['flex-direction: column']], ['flex-wrap', ['flex-wrap: wrap']], ['flex-nowrap', ['flex-wrap: nowrap']]);
  rules.push(['grow', ['flex-grow: 1']], ['shrink-0', ['flex-shrink: 0']], ['flex-1', ['flex: 1 1 0%']]);
  for (let columns = 1; columns <= 6; columns++) rules.push([`grid-cols-${columns}`, [`grid-template-columns: repeat(${columns}, minmax(0, 1fr))`]]);
  for (const align of ['left', 'center', 'right']) rules.push([`text-${align}`, [`text-align: ${align}`]]);
  for (const [name, size] of Object.entries(FONT_SIZES)) rules.push([`text-${name}`, [`font-size: ${size}`]]);
  rules.push(['font-normal', ['font-weight: 400']], ['font-bold', ['font-weight: 700']], ['font-display', ['font-family: var(--font-display)']]);
  rules.push(['uppercase', ['text-transform: uppercase']], ['tracking-wide', ['letter-spacing: 0.08em']], ['leading-tight', ['line-height: 1.25']], ['leading-loose', ['line-height: 1.9']]);
  rules.push(['truncate', ['overflow: hidden', 'text-overflow: ellipsis', 'white-space: nowrap']]);
  for (const [name, value] of [['full', '100%'], ['auto', 'auto'], ['half', '50%'], ['third', '33.3333%']]) rules.push([`w-${name}`, [`width: ${value}`]]);
  for (const [name, value] of [['prose', '65ch'], ['sm', '24rem'], ['md', '28rem'], ['lg', '32rem'], ['xl', '36rem'], ['container', 'var(--container)']]) rules.push([`max-w-${name}`, [`max-width: ${value}`]]);
  for (const [name, value] of [['none', '0'], ['s', 'var(--radius-s)'], ['m', 'var(--radius-m)'], ['l', 'var(--radius-l)'], ['full', '999px']]) rules.push([`rounded-${name}`, [`border-radius: ${value}`]]);
  for (const [name, value] of [['none', 'none'], ['s', 'var(--shadow-s)'], ['m', 'var(--shadow-m)'], ['l', 'var(--shadow-l)']]) rules.push([`shadow-${name}`, [`box-shadow: ${value}`]]);
  for (const position of ['static', 'relative', 'absolute', 'sticky']) rules.push([position, [`position: ${position}`]]);
  for (const overflow of ['hidden', 'auto', 'visible']) rules.push([`overflow-${overflow}`, [`overflow: ${overflow}`]]);
  return rules;
}

const escapeClass = (name) => name.replace(/[:]/g, '\\$&');
const render = (rules, prefix = '', indent = '') =>
  rules.map(([name, declarations]) => `${indent}.${escapeClass(prefix + name)} { ${declarations.join('; ')}; }`).join('\n');

/** The utilities section of site.css. */
export function utilitiesCss() {
  const rules = utilities();
  const sections = [`/* Utilities ------------------------------------------------------------- */\n\n${render(rules)}`];
  for (const [breakpoint, width] of Object.entries(BREAKPOINTS)) {
    sections.push(`@media (min-width: ${width}) {\n${render(rules, `${breakpoint}:`, '  ')}\n}`);
  }
  return `${sections.join('\n\n')}\n`;
}
