// First: it configures zod before the shared schemas are built.
import './lib/zod-config.ts';
import { render } from 'solid-js/web';
import { App } from './App.tsx';
import './styles/tokens.css';
import './styles/base.css';
import './styles/forms.css';
import './styles/auth.css';
import './styles/shell.css';
import './styles/account.css';
import './styles/chat.css';
import './styles/replies.css';
import './styles/images.css';
import './styles/header.css';
import './styles/people.css';
import './styles/profile.css';
import './styles/admin.css';
import './styles/alerts.css';
import './styles/search.css';

render(() => <App />, document.getElementById('root')!);
