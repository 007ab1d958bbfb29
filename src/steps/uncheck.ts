import { toggleStep } from './support/toggle.js';

export default toggleStep('uncheck');
