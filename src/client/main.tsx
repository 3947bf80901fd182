import { render } from 'solid-js/web';

render(() => <p>Parley</p>, document.getElementById('root')!);
