// ctest entry for the browser extension's tests (they live beside the extension code).
import '../../extension/test/mapping.test.mjs';
