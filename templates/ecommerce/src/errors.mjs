/** Business errors: a process throws them, the engine rolls the transaction back and rethrows them unchanged. */
export class UnknownProductError extends Error {
  name = 'UnknownProductError';
}

export class OutOfStockError extends Error {
  name = 'OutOfStockError';
}

export class DuplicateOrderError extends Error {
  name = 'DuplicateOrderError';
}
