/**
 * Every panel and command module, imported once for its registerPanel / registerCommand calls (app.tsx imports
 * this file once). A new job kind adds one line here for its module; keep one import per line.
 */
import './builtin/file-commands';
import './builtin/view-commands';
import './builtin/job-commands';
import './builtin/center-panels';
import './builtin/jobs-dock';
import './open-progress-panel';
import '../commands/image-export';
import '../commands/session-commands';
import '../components/plots/plots-contribution';
