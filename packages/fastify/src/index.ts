import { zerodownFastify } from './plugin';
export { zerodownFastify, type ZerodownFastifyOptions } from './plugin';
export default zerodownFastify;
