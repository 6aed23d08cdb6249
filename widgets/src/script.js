// <script src=".../widgets/veneer.iife.js" data-veneer-key="pk_..."></script>
import { boot } from "./boot.js";

const script = document.currentScript;
boot(script && script.dataset.veneerKey ? script : document.querySelector("script[data-veneer-key]"));
