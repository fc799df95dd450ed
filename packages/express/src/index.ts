export { zerodownExpress, type ZerodownMiddleware } from './middleware';
export { zerodownExpress as default } from './middleware';
