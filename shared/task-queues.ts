/** Task queue of the savings/rebalancing worker; workflows and activities share it. */
export const SAVINGS_TASK_QUEUE = 'fondo-savings';
