/** The targets of the `--resume` end-to-end tests' rows. */
/** A customer of the rows. */
export const CUSTOMER = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
/** A subscription of that customer. */
export const SUB = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
/** Another subscription. */
export const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** The key of the customer's subscription SUB. */
export const KEY = `${CUSTOMER}/${SUB}`;
