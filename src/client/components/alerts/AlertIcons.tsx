/** Icons for notifications and muting, drawn like the rest (Icons.tsx): decorative, named by their control. */
import { Icon } from '../Icons.tsx';

export const BellOffIcon = () => (
  <Icon>
    <path d="M8.7 3.6A6 6 0 0 1 18 8c0 3 .6 5 1.3 6.4M17 17H3s3-2 3-9c0-.5 0-1 .2-1.5M10.3 21a1.9 1.9 0 0 0 3.4 0M2 2l20 20" />
  </Icon>
);

export const BellRingIcon = () => (
  <Icon>
    <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.9 1.9 0 0 0 3.4 0" />
  </Icon>
);
