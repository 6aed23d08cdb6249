// <script type="module" src=".../widgets/veneer.js" data-veneer-key="pk_..."></script>
import { boot } from "./boot.js";

export const veneer = boot(document.querySelector("script[data-veneer-key]"), import.meta.url);
