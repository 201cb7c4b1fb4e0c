"""THE translation table of the app: every label, help text, table header and chart title, in
English and French (Canada's public service works in both). ``t(key)`` returns the text in the
language chosen in the sidebar (``st.session_state["lang"]``), English by default.

Texts with ``{placeholders}`` are filled with ``str.format`` by the pages; both languages use the
same placeholders (tests/test_i18n.py checks it, and that every key used in the app is here).
"""
from __future__ import annotations

import streamlit as st

LANGUAGES = {"en": "English", "fr": "Français"}

TEXT: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ app shell
    "app.language": {"en": "Language", "fr": "Langue"},
    "app.sidebar_note": {
        "en": "Bundled data are SYNTHETIC (calibrated to public figures), not real Service Canada data.",
        "fr": "Les données fournies sont SYNTHÉTIQUES (calibrées sur des chiffres publics), pas de vraies données "
              "de Service Canada."},
    "app.link_upload": {
        "en": "This link was made with the uploaded file {name}. Upload it again on the Demand page to see the same "
              "figures; the bundled data are shown meanwhile.",
        "fr": "Ce lien a été créé avec le fichier téléversé {name}. Téléversez-le de nouveau à la page Demande pour "
              "voir les mêmes chiffres; les données fournies sont affichées en attendant."},
    "app.unexpected": {
        "en": "Something went wrong on this page. Your scenarios and data are kept: go back to the previous page, "
              "or choose 'Back to the ready scenarios' on the Scenarios page; if it happens again, note what you "
              "did and report it.",
        "fr": "Un problème est survenu sur cette page. Vos scénarios et vos données sont conservés : revenez à la "
              "page précédente, ou choisissez « Revenir aux scénarios prêts » à la page Scénarios; si cela se "
              "reproduit, notez ce que vous avez fait et signalez-le."},
    "nav.compare": {"en": "Compare", "fr": "Comparer"},
    "nav.scenarios": {"en": "Scenarios", "fr": "Scénarios"},
    "nav.demand": {"en": "Demand", "fr": "Demande"},
    "nav.staffing": {"en": "Staffing & export", "fr": "Effectifs et export"},
    "nav.capacity": {"en": "Capacity plan", "fr": "Plan de capacité"},
    # ------------------------------------------------------------------ common
    "common.data_error": {"en": "The data could not be used: {msg}",
                          "fr": "Les données ne peuvent pas être utilisées : {msg}"},
    "common.param_error": {"en": "This cannot be computed: {msg}", "fr": "Calcul impossible : {msg}"},
    "common.done": {"en": "Ready", "fr": "Prêt"},
    "common.forecasting": {"en": "Forecasting demand…", "fr": "Prévision de la demande…"},
    "common.preparing": {"en": "Forecasting demand and simulating the scenarios (first run: a few seconds)…",
                         "fr": "Prévision de la demande et simulation des scénarios (premier calcul : quelques "
                               "secondes)…"},
    "common.simulating": {"en": "Simulating the scenarios…", "fr": "Simulation des scénarios…"},
    "common.simulated": {"en": "Simulated {name} ({i}/{n})", "fr": "Simulé : {name} ({i}/{n})"},
    # ------------------------------------------------------------------ charts
    "chart.data_table": {"en": "Data table of this chart", "fr": "Tableau des données du graphique"},
    "chart.time": {"en": "Time", "fr": "Heure"},
    "chart.date": {"en": "Date", "fr": "Date"},
    "chart.day": {"en": "Day", "fr": "Jour"},
    "chart.time_of_day": {"en": "Time of day", "fr": "Heure de la journée"},
    "chart.value": {"en": "Value", "fr": "Valeur"},
    "chart.calls": {"en": "Calls", "fr": "Appels"},
    "chart.calls_per_interval": {"en": "Calls per 30 minutes", "fr": "Appels par 30 minutes"},
    # ------------------------------------------------------------------ weekdays (day_label)
    "day.0": {"en": "Mon", "fr": "lun."},
    "day.1": {"en": "Tue", "fr": "mar."},
    "day.2": {"en": "Wed", "fr": "mer."},
    "day.3": {"en": "Thu", "fr": "jeu."},
    "day.4": {"en": "Fri", "fr": "ven."},
    "day.5": {"en": "Sat", "fr": "sam."},
    "day.6": {"en": "Sun", "fr": "dim."},
    # ------------------------------------------------------------------ KPIs (simulate.METRICS names)
    "kpi.service_level": {"en": "Service level", "fr": "Niveau de service"},
    "kpi.asa_s": {"en": "Average wait to answer (ASA)", "fr": "Délai moyen de réponse"},
    "kpi.p90_wait_s": {"en": "90th percentile wait", "fr": "Attente au 90e centile"},
    "kpi.abandon_rate": {"en": "Hang-ups on hold (abandon rate)", "fr": "Raccrochés en attente (taux d'abandon)"},
    "kpi.blocked": {"en": "Busy signals", "fr": "Signaux occupés"},
    "kpi.got_through_rate": {"en": "Callers who got through", "fr": "Appelants servis"},
    "kpi.attempts_per_caller": {"en": "Attempts per caller", "fr": "Tentatives par appelant"},
    "kpi.occupancy": {"en": "Agent occupancy", "fr": "Taux d'occupation des agents"},
    "kpi.callbacks": {"en": "Callbacks accepted", "fr": "Rappels acceptés"},
    "kpi.contained": {"en": "Resolved by the automated line", "fr": "Réglés par la ligne automatisée"},
    "kpi.attempts": {"en": "Call attempts", "fr": "Tentatives d'appel"},
    "kpi.avg_queue": {"en": "Average number on hold", "fr": "Nombre moyen en attente"},
    "kpi.cost": {"en": "Paid cost of the staffing", "fr": "Coût payé des effectifs"},
    # ------------------------------------------------------------------ Compare page
    "compare.title": {"en": "Compare scenarios", "fr": "Comparer les scénarios"},
    "compare.intro": {
        "en": "Each scenario is simulated on the same forecast demand with the same random callers (common random "
              "numbers), so differences come from the scenarios, not from luck. Edit them on the Scenarios page; "
              "change the demand on the Demand page.",
        "fr": "Chaque scénario est simulé sur la même demande prévue avec les mêmes appelants aléatoires (nombres "
              "aléatoires communs) : les écarts viennent des scénarios, pas du hasard. Modifiez-les à la page "
              "Scénarios; changez la demande à la page Demande."},
    "compare.demand_caption": {
        "en": "Demand: {start} to {end}, {calls:,.0f} expected calls ({surge}); {reps} replications, seed {seed}.",
        "fr": "Demande : du {start} au {end}, {calls:,.0f} appels prévus ({surge}); {reps} réplications, germe "
              "{seed}."},
    "compare.surge_on": {"en": "surge applied", "fr": "avec hausse soudaine"},
    "compare.surge_off": {"en": "no surge", "fr": "sans hausse soudaine"},
    "compare.kpi_title": {"en": "Key figures", "fr": "Chiffres clés"},
    "compare.kpi": {"en": "Indicator", "fr": "Indicateur"},
    "compare.kpi_caption": {
        "en": "Mean over replications with its 95% confidence interval in brackets. {star} and bold mark the best "
              "scenario of each row (↑ higher is better, ↓ lower is better; no arrow: no better direction). "
              "Service level = answered within the standard / (answered + hung up). Engines: {engines}.",
        "fr": "Moyenne des réplications et intervalle de confiance à 95 % entre parenthèses. {star} et le gras "
              "marquent le meilleur scénario de chaque ligne (↑ plus haut est mieux, ↓ plus bas est mieux; sans "
              "flèche : pas de meilleur sens). Niveau de service = répondus dans la norme / (répondus + "
              "raccrochés). Moteurs : {engines}."},
    "compare.scenario": {"en": "Scenario", "fr": "Scénario"},
    "compare.scenario_failed": {"en": "Scenario “{name}” cannot be simulated: {msg}",
                                "fr": "Le scénario « {name} » ne peut pas être simulé : {msg}"},
    "compare.nothing": {"en": "No scenario could be simulated.", "fr": "Aucun scénario n'a pu être simulé."},
    "compare.charts_title": {"en": "Through the week", "fr": "Au fil de la semaine"},
    "compare.chart_wait": {"en": "Average wait to answer per interval (open hours)",
                           "fr": "Délai moyen de réponse par intervalle (heures d'ouverture)"},
    "compare.caption_wait": {"en": "Longest average wait per scenario: {worst}.",
                             "fr": "Plus long délai moyen par scénario : {worst}."},
    "compare.chart_sl": {"en": "Service level per interval (open hours)",
                         "fr": "Niveau de service par intervalle (heures d'ouverture)"},
    "compare.caption_sl": {"en": "Lowest service level per scenario: {worst}.",
                           "fr": "Plus bas niveau de service par scénario : {worst}."},
    "compare.chart_queue": {"en": "Average number of callers on hold per interval",
                            "fr": "Nombre moyen d'appelants en attente par intervalle"},
    "compare.caption_queue": {"en": "Longest queue per scenario: {worst}.",
                              "fr": "Plus longue file par scénario : {worst}."},
    "compare.heat_title": {"en": "Staffing heat map", "fr": "Carte de chaleur des effectifs"},
    "compare.heat_scenario": {"en": "Scenario shown", "fr": "Scénario affiché"},
    "compare.heat_chart": {"en": "Agents on the phones, day × time of day: {name}",
                           "fr": "Agents au téléphone, jour × heure : {name}"},
    "compare.heat_caption": {
        "en": "{name}: at most {peak} agents ({when}); {hours:,.0f} agent-hours on the phones over the horizon.",
        "fr": "{name} : au plus {peak} agents ({when}); {hours:,.0f} heures-agents au téléphone sur l'horizon."},
    "compare.agents": {"en": "Agents", "fr": "Agents"},
    "compare.no_open": {"en": "No open interval to show.", "fr": "Aucun intervalle ouvert à afficher."},
    # ------------------------------------------------------------------ Scenarios page
    "scen.title": {"en": "Scenarios", "fr": "Scénarios"},
    "scen.intro": {
        "en": "One column per scenario. Every change is simulated at once; the figures at the top update. "
              "Durations are in seconds, shares in percent. The current scenarios are saved in the page address: "
              "copy it to share them.",
        "fr": "Une colonne par scénario. Chaque changement est simulé aussitôt; les chiffres du haut se mettent à "
              "jour. Durées en secondes, parts en pour cent. Les scénarios sont enregistrés dans "
              "l'adresse de la page : copiez-la pour les partager."},
    "scen.add": {"en": "Add a scenario", "fr": "Ajouter un scénario"},
    "scen.reset": {"en": "Back to the ready scenarios", "fr": "Revenir aux scénarios prêts"},
    "scen.new_name": {"en": "New scenario", "fr": "Nouveau scénario"},
    "scen.copy_suffix": {"en": "(copy)", "fr": "(copie)"},
    "scen.upload": {"en": "Open a scenario file (TOML or JSON)", "fr": "Ouvrir un fichier de scénario (TOML ou JSON)"},
    "scen.upload_help": {"en": "A file downloaded from the Staffing & export page, or written by hand.",
                         "fr": "Un fichier téléchargé à la page Effectifs et export, ou écrit à la main."},
    "scen.upload_error": {"en": "This scenario file cannot be used: {msg}",
                          "fr": "Ce fichier de scénario ne peut pas être utilisé : {msg}"},
    "scen.url_error": {"en": "The scenarios in the link could not be read, the ready scenarios are shown: {msg}",
                       "fr": "Les scénarios du lien sont illisibles, les scénarios prêts sont affichés : {msg}"},
    "scen.name": {"en": "Name", "fr": "Nom"},
    "scen.name_help": {"en": "Rename the scenario (names are unique).",
                       "fr": "Renommer le scénario (les noms sont uniques)."},
    "scen.staffing": {"en": "Staffing (who is on duty)", "fr": "Effectifs (qui est en poste)"},
    "scen.staffing_help": {
        "en": "A rule, re-evaluated whenever the demand changes (an upload, the horizon, a surge): sized to this "
              "scenario's service standard, relative to another scenario, a constant, a weekly pattern or a table.",
        "fr": "Une règle, réévaluée chaque fois que la demande change (un téléversement, l'horizon, une hausse) : "
              "ajustée à la norme de service du scénario, relative à un autre scénario, une constante, un horaire "
              "hebdomadaire ou un tableau."},
    "scen.kind_sized": {"en": "Sized to the service standard", "fr": "Ajustés à la norme de service"},
    "scen.kind_relative": {"en": "Relative to another scenario", "fr": "Relatifs à un autre scénario"},
    "scen.kind_agents": {"en": "The same number all day", "fr": "Le même nombre toute la journée"},
    "scen.kind_pattern": {"en": "Weekly pattern", "fr": "Horaire hebdomadaire"},
    "scen.kind_table": {"en": "Uploaded table (ds, agents)", "fr": "Tableau téléversé (ds, agents)"},
    "scen.st_method": {"en": "Sizing method", "fr": "Méthode de calcul"},
    "scen.st_base": {"en": "Scenario it follows", "fr": "Scénario de référence"},
    "scen.st_pct": {"en": "More agents than it (%)", "fr": "Agents de plus que lui (%)"},
    "scen.st_pct_help": {"en": "25 = a quarter more agents in every interval; -10 = a tenth fewer.",
                         "fr": "25 = un quart d'agents de plus dans chaque intervalle; -10 = un dixième de moins."},
    "scen.st_agents": {"en": "Agents on the phones", "fr": "Agents au téléphone"},
    "scen.st_pattern": {"en": "Agents by day and hour", "fr": "Agents par jour et par heure"},
    "scen.pattern_help": {
        "en": "One line per window, e.g. Mon-Fri 08:00-20:00=40 and Sat 09:00-13:00=12 (0 outside the windows).",
        "fr": "Une ligne par plage, p. ex. lun-ven 08:00-20:00=40 et sam 09:00-13:00=12 (0 hors des plages)."},
    "scen.st_table": {"en": "Staffing table (CSV or Excel: ds, agents)", "fr": "Tableau d'effectifs (CSV ou Excel : ds, agents)"},
    "scen.st_table_help": {"en": "One row per interval: its start (ds) and the agents on the phones.",
                           "fr": "Une ligne par intervalle : son début (ds) et les agents au téléphone."},
    "scen.table_needed": {"en": "Upload a table with ds and agents columns first.",
                          "fr": "Téléversez d'abord un tableau avec les colonnes ds et agents."},
    "scen.no_base": {"en": "Add another scenario to staff relative to it.",
                     "fr": "Ajoutez un autre scénario pour vous y rapporter."},
    "scen.staffing_caption": {"en": "On this demand: {peak:,} agents at the peak, {hours:,.0f} agent-hours.",
                              "fr": "Sur cette demande : {peak:,} agents à la pointe, {hours:,.0f} heures-agents."},
    "scen.aht": {"en": "Average handle time (s)", "fr": "Durée moyenne de traitement (s)"},
    "scen.aht_help": {"en": "Talk + hold + after-call work, in seconds.",
                      "fr": "Conversation + attente + travail après l'appel, en secondes."},
    "scen.patience": {"en": "Mean patience on hold (s; 0 = never hang up)",
                      "fr": "Patience moyenne en attente (s; 0 = ne raccroche jamais)"},
    "scen.patience_help": {"en": "How long callers wait, on average, before hanging up.",
                           "fr": "Combien de temps les appelants attendent, en moyenne, avant de raccrocher."},
    "scen.lines": {"en": "Phone lines (0 = unlimited)", "fr": "Lignes téléphoniques (0 = illimitées)"},
    "scen.lines_help": {"en": "Calls in the automated line, on hold and with an agent at most; beyond, a busy "
                              "signal.",
                        "fr": "Appels au plus dans la ligne automatisée, en attente et avec un agent; au-delà, un "
                              "signal occupé."},
    "scen.redial": {"en": "Callers who try again (%)", "fr": "Appelants qui rappellent (%)"},
    "scen.redial_help": {"en": "Chance that a caller who got a busy signal or hung up calls again later.",
                         "fr": "Probabilité qu'un appelant qui a eu un signal occupé ou a raccroché rappelle plus "
                               "tard."},
    "scen.ivr": {"en": "Resolved by the automated status line (%)",
                 "fr": "Réglés par la ligne automatisée d'état (%)"},
    "scen.ivr_help": {"en": "Share of calls answered in self-service (e.g. \"where is my passport?\").",
                      "fr": "Part des appels réglés en libre-service (p. ex. « où est mon passeport? »)."},
    "scen.ivrfactor": {"en": "Handle-time factor after the automated line",
                       "fr": "Facteur de durée après la ligne automatisée"},
    "scen.ivrfactor_help": {"en": "Calls that still reach an agent are often harder: 1.15 = 15% longer.",
                            "fr": "Les appels qui joignent encore un agent sont souvent plus complexes : 1,15 = "
                                  "15 % plus longs."},
    "scen.cbon": {"en": "Offer callbacks", "fr": "Offrir des rappels"},
    "scen.cbon_help": {"en": "Offer to call back instead of waiting when the expected wait is long.",
                       "fr": "Offrir de rappeler au lieu d'attendre quand l'attente prévue est longue."},
    "scen.cbthr": {"en": "Offer a callback above this wait (s)", "fr": "Offrir un rappel au-delà de cette attente (s)"},
    "scen.cbthr_help": {"en": "Estimated wait, in seconds, above which the offer is made.",
                        "fr": "Attente estimée, en secondes, au-delà de laquelle l'offre est faite."},
    "scen.cbaccept": {"en": "Callers who accept (%)", "fr": "Appelants qui acceptent (%)"},
    "scen.cbaccept_help": {"en": "Share of callers who accept the callback offer.",
                           "fr": "Part des appelants qui acceptent l'offre de rappel."},
    "scen.shrink": {"en": "Paid time off the phones (%)", "fr": "Temps payé hors téléphone (%)"},
    "scen.shrink_help": {"en": "Breaks, training, meetings, leave: shrinkage.",
                         "fr": "Pauses, formation, réunions, congés : taux de réduction."},
    "scen.slthr": {"en": "Service standard: answer within (s)", "fr": "Norme de service : répondre en (s)"},
    "scen.slthr_help": {"en": "The wait, in seconds, that counts as answered on time.",
                        "fr": "L'attente, en secondes, qui compte comme une réponse à temps."},
    "scen.sltgt": {"en": "Service standard: share on time (%)", "fr": "Norme de service : part à temps (%)"},
    "scen.sltgt_help": {"en": "The target share of calls answered within the standard.",
                        "fr": "La part visée d'appels répondus dans la norme."},
    "scen.cost": {"en": "Cost per paid agent-hour", "fr": "Coût par heure-agent payée"},
    "scen.cost_help": {"en": "Salary and overheads, per paid hour.", "fr": "Salaire et frais, par heure payée."},
    "scen.copy": {"en": "Copy", "fr": "Copier"},
    "scen.delete": {"en": "Delete", "fr": "Supprimer"},
    "scen.invalid": {"en": "This value was not applied: {msg}", "fr": "Cette valeur n'a pas été appliquée : {msg}"},
    "scen.cannot_simulate": {"en": "Cannot simulate: {msg}", "fr": "Simulation impossible : {msg}"},
    "scen.ci_help": {"en": "95% confidence interval: {ci}", "fr": "Intervalle de confiance à 95 % : {ci}"},
    "scen.kpi_caption": {
        "en": "Figures: mean of {reps} replications (seed {seed}); the ⓘ of each figure gives its 95% confidence "
              "interval. The full comparison, with intervals, is on the Compare page.",
        "fr": "Chiffres : moyenne de {reps} réplications (germe {seed}); le ⓘ de chaque chiffre donne son "
              "intervalle de confiance à 95 %. La comparaison complète, avec intervalles, est à la page Comparer."},
    # ------------------------------------------------------------------ Demand page
    "demand.title": {"en": "Demand", "fr": "Demande"},
    "demand.intro": {
        "en": "Calls per 30 minutes: the history, the forecast every scenario is simulated on, and what could "
              "change it (a surge, the passport backlog).",
        "fr": "Appels par 30 minutes : l'historique, la prévision sur laquelle chaque scénario est simulé, et ce "
              "qui pourrait la changer (une hausse soudaine, l'arriéré des passeports)."},
    "demand.data_title": {"en": "Data", "fr": "Données"},
    "demand.upload": {"en": "Upload your own history (CSV or Excel)",
                      "fr": "Téléverser votre propre historique (CSV ou Excel)"},
    "demand.upload_help": {
        "en": "Columns ds (date and time of the interval) and y (calls), optionally series. One row per interval.",
        "fr": "Colonnes ds (date et heure de l'intervalle) et y (appels), facultativement series. Une ligne par "
              "intervalle."},
    "demand.upload_error": {"en": "This file cannot be used: {msg}",
                            "fr": "Ce fichier ne peut pas être utilisé : {msg}"},
    "demand.source_bundled": {"en": "Using the bundled passport call history (30 minutes, July–December 2024).",
                              "fr": "Historique d'appels des passeports fourni (30 minutes, juillet à décembre "
                                    "2024)."},
    "demand.source_upload": {"en": "Using your file: {name}", "fr": "Votre fichier : {name}"},
    "demand.use_bundled": {"en": "Use the bundled data", "fr": "Utiliser les données fournies"},
    "demand.horizon": {"en": "Forecast horizon (days)", "fr": "Horizon de prévision (jours)"},
    "demand.horizon_help": {"en": "Days ahead to forecast and simulate.",
                            "fr": "Nombre de jours à prévoir et à simuler."},
    "demand.interval": {"en": "Planning interval", "fr": "Intervalle de planification"},
    "demand.interval_auto": {"en": "as the data (15-60 min)", "fr": "comme les données (15-60 min)"},
    "demand.interval_help": {
        "en": "Finer data (5 or 10 minutes) is summed into the planning interval; handle time is volume-weighted.",
        "fr": "Les données plus fines (5 ou 10 minutes) sont additionnées par intervalle de planification; la durée "
              "de traitement est pondérée par le volume."},
    "demand.daily_note": {
        "en": "This history has one value per day. The forecast is made by day, then spread over the day's "
              "intervals, so that scenarios can be simulated and staffed.",
        "fr": "Cet historique a une valeur par jour. La prévision est faite par jour, puis répartie sur les "
              "intervalles de la journée, pour simuler les scénarios et calculer les effectifs."},
    "demand.spread": {"en": "Spread each day over", "fr": "Répartir chaque jour selon"},
    "demand.spread_profile": {"en": "the bundled intraday profile", "fr": "le profil intrajournalier fourni"},
    "demand.spread_hours": {"en": "my opening hours (even spread)", "fr": "mes heures d'ouverture (uniforme)"},
    "demand.opening_hours": {"en": "Opening hours", "fr": "Heures d'ouverture"},
    "demand.opening_hours_help": {"en": "One line per rule, e.g. Mon-Fri 08:00-20:00 and Sat 09:00-13:00.",
                                  "fr": "Une ligne par règle, p. ex. Mon-Fri 08:00-20:00 et Sat 09:00-13:00."},
    "demand.model": {"en": "Forecasting model", "fr": "Modèle de prévision"},
    "demand.model_auto": {"en": "auto (best in backtest)", "fr": "auto (meilleur au test rétrospectif)"},
    "demand.model_help": {"en": "auto compares the models on past weeks and keeps the most accurate.",
                          "fr": "auto compare les modèles sur des semaines passées et garde le plus précis."},
    "demand.holidays": {"en": "Holidays (country code)", "fr": "Jours fériés (code de pays)"},
    "demand.holidays_help": {"en": "e.g. CA, CA-QC; empty for none.", "fr": "p. ex. CA, CA-QC; vide pour aucun."},
    "demand.surge_title": {"en": "Surge", "fr": "Hausse soudaine"},
    "demand.surge_intro": {
        "en": "Multiply the forecast by a surge; every scenario is simulated on the result at once.",
        "fr": "Multipliez la prévision par une hausse soudaine; chaque scénario est aussitôt simulé sur le "
              "résultat."},
    "demand.surge_mode": {"en": "Surge", "fr": "Hausse"},
    "demand.surge_none": {"en": "None", "fr": "Aucune"},
    "demand.surge_custom": {"en": "Custom", "fr": "Personnalisée"},
    "demand.surge_replay": {"en": "Replay 2022", "fr": "Rejouer 2022"},
    "demand.surge_start": {"en": "Start", "fr": "Début"},
    "demand.surge_peak": {"en": "Peak (× usual demand)", "fr": "Pointe (× la demande habituelle)"},
    "demand.surge_peak_help": {"en": "2 = double the usual demand on the plateau.",
                               "fr": "2 = le double de la demande habituelle sur le plateau."},
    "demand.surge_ramp": {"en": "Ramp up (days)", "fr": "Montée (jours)"},
    "demand.surge_plateau": {"en": "Plateau (days)", "fr": "Plateau (jours)"},
    "demand.surge_decay": {"en": "Decay (days)", "fr": "Retombée (jours)"},
    "demand.surge_shape": {"en": "Shape", "fr": "Forme"},
    "demand.shape_linear": {"en": "Linear", "fr": "Linéaire"},
    "demand.shape_smooth": {"en": "Smooth", "fr": "Douce"},
    "demand.shape_exponential": {"en": "Exponential", "fr": "Exponentielle"},
    "demand.replay_offset": {"en": "Days into the 2022 episode at the first forecast day",
                             "fr": "Jours dans l'épisode de 2022 au premier jour prévu"},
    "demand.replay_offset_help": {"en": "0 = the episode starts with the forecast (1 March 2022).",
                                  "fr": "0 = l'épisode commence avec la prévision (1er mars 2022)."},
    "demand.replay_peak": {"en": "Peak of the replay (× usual demand)", "fr": "Pointe rejouée (× la demande habituelle)"},
    "demand.replay_peak_help": {
        "en": "The 2022 shape, rescaled so its highest point is this multiplier.",
        "fr": "La forme de 2022, mise à l'échelle pour que son sommet soit ce multiplicateur."},
    "demand.replay_ratio": {"en": "Calls / usual calls", "fr": "Appels / appels habituels"},
    "demand.replay_chart": {"en": "The 2022 calls surge (measured on the daily history)",
                            "fr": "La hausse des appels de 2022 (mesurée sur l'historique quotidien)"},
    "demand.replay_caption": {
        "en": "In 2022 calls reached {peak:,.1f} times their usual level; the dashed line marks {day}, the day "
              "replayed on the first forecast day.",
        "fr": "En 2022, les appels ont atteint {peak:,.1f} fois leur niveau habituel; la ligne pointillée marque le "
              "{day}, jour rejoué au premier jour prévu."},
    "demand.forecast_title": {"en": "History and forecast", "fr": "Historique et prévision"},
    "demand.forecast_chart": {"en": "Calls per 30 minutes: last two weeks and forecast with 80% and 95% bands",
                              "fr": "Appels par 30 minutes : deux dernières semaines et prévision avec bandes à 80 % "
                                    "et 95 %"},
    "demand.forecast_caption": {
        "en": "Forecast: {total:,.0f} calls over the horizon ({change:+.0%} against {base:,.0f} without surge; 95% "
              "band per interval summed: {lo:,.0f} to {hi:,.0f}). Busiest interval: {when}, {peak:,.0f} calls.",
        "fr": "Prévision : {total:,.0f} appels sur l'horizon ({change:+.0%} par rapport à {base:,.0f} sans hausse; "
              "bande à 95 % par intervalle, additionnée : {lo:,.0f} à {hi:,.0f}). Intervalle le plus chargé : "
              "{when}, {peak:,.0f} appels."},
    "demand.history": {"en": "History", "fr": "Historique"},
    "demand.forecast": {"en": "Forecast", "fr": "Prévision"},
    "demand.lo80": {"en": "80% low", "fr": "80 % bas"},
    "demand.hi80": {"en": "80% high", "fr": "80 % haut"},
    "demand.lo95": {"en": "95% low", "fr": "95 % bas"},
    "demand.hi95": {"en": "95% high", "fr": "95 % haut"},
    "demand.model_used": {"en": "Model used: **{model}**", "fr": "Modèle utilisé : **{model}**"},
    "demand.bt_model": {"en": "Model", "fr": "Modèle"},
    "demand.bt_cov80": {"en": "80% band coverage", "fr": "Couverture de la bande à 80 %"},
    "demand.bt_cov95": {"en": "95% band coverage", "fr": "Couverture de la bande à 95 %"},
    "demand.bt_n": {"en": "Intervals scored", "fr": "Intervalles évalués"},
    "demand.bt_caption": {
        "en": "Backtest on past weeks (rolling origins, open hours only). MASE below 1 beats repeating last week; "
              "a well-calibrated band covers about its level (80% or 95%) of the actual calls.",
        "fr": "Test rétrospectif sur des semaines passées (origines glissantes, heures d'ouverture seulement). "
              "Un MASE sous 1 fait mieux que de répéter la semaine dernière; une bande bien calibrée couvre environ "
              "son niveau (80 % ou 95 %) des appels réels."},
    "demand.bt_none": {"en": "Backtest accuracy is shown for the auto model.",
                       "fr": "La précision au test rétrospectif est affichée pour le modèle auto."},
    "demand.backlog_title": {"en": "The passport backlog and the calls it drives",
                             "fr": "L'arriéré des passeports et les appels qu'il entraîne"},
    "demand.backlog_intro": {
        "en": "When applications wait beyond the 20-business-day standard, their owners call to ask “where is my "
              "passport?”. The backlog model (fitted on 2016–2024) projects the queue of applications and the calls "
              "it drives. Try more processing capacity or an online status tracker.",
        "fr": "Quand des demandes attendent au-delà de la norme de 20 jours ouvrables, leurs auteurs appellent pour "
              "demander « où est mon passeport? ». Le modèle d'arriéré (ajusté sur 2016-2024) projette la file des "
              "demandes et les appels qu'elle entraîne. Essayez plus de capacité de traitement ou un suivi en "
              "ligne."},
    "demand.weekly_chart": {"en": "Applications, processing and calls per week, 2016–2024",
                            "fr": "Demandes, traitement et appels par semaine, 2016-2024"},
    "demand.weekly_caption": {"en": "Calls peaked at {peak:,.0f} attempts in the week ending {week}.",
                              "fr": "Les appels ont culminé à {peak:,.0f} tentatives la semaine se terminant le "
                                    "{week}."},
    "demand.per_week": {"en": "Per week", "fr": "Par semaine"},
    "demand.per_day": {"en": "Per day", "fr": "Par jour"},
    "demand.applications": {"en": "Applications", "fr": "Demandes"},
    "demand.s_applications": {"en": "Applications received", "fr": "Demandes reçues"},
    "demand.s_processed": {"en": "Applications processed", "fr": "Demandes traitées"},
    "demand.s_calls": {"en": "Call attempts", "fr": "Tentatives d'appel"},
    "demand.s_callers": {"en": "Callers", "fr": "Appelants"},
    "demand.s_backlog": {"en": "Backlog", "fr": "Arriéré"},
    "demand.s_past_standard": {"en": "Past the standard", "fr": "Au-delà de la norme"},
    "demand.s_calls_proj": {"en": "Calls (projected)", "fr": "Appels (projetés)"},
    "demand.s_status_calls": {"en": "Status calls", "fr": "Appels d'état"},
    "demand.apps_per_day": {"en": "Applications per business day", "fr": "Demandes par jour ouvrable"},
    "demand.apps_per_day_help": {"en": "Default: the mean of the last 90 days.",
                                 "fr": "Par défaut : la moyenne des 90 derniers jours."},
    "demand.capacity_change": {"en": "Processing capacity change (%)", "fr": "Variation de la capacité de traitement (%)"},
    "demand.capacity_change_help": {"en": "Relative to {base:,.0f} applications per business day (last 90 days).",
                                    "fr": "Par rapport à {base:,.0f} demandes par jour ouvrable (90 derniers jours)."},
    "demand.deflection": {"en": "Status enquiries answered online (%)", "fr": "Demandes d'état réglées en ligne (%)"},
    "demand.deflection_help": {"en": "An online status tracker removes this share of the status calls.",
                               "fr": "Un suivi en ligne retire cette part des appels d'état."},
    "demand.backlog_days": {"en": "Days to project", "fr": "Jours à projeter"},
    "demand.backlog_chart": {"en": "Applications waiting: last year and projection",
                             "fr": "Demandes en attente : dernière année et projection"},
    "demand.backlog_caption": {
        "en": "Backlog {start:,.0f} at the end of the history, {end:,.0f} at the end of the projection (peak "
              "{peak:,.0f}); longest processing time {days:,.0f} days. The dashed line marks the projection start.",
        "fr": "Arriéré de {start:,.0f} à la fin de l'historique, {end:,.0f} à la fin de la projection (sommet "
              "{peak:,.0f}); plus long délai de traitement {days:,.0f} jours. La ligne pointillée marque le début de "
              "la projection."},
    "demand.calls_chart": {"en": "Projected calls per day with the 80% band",
                           "fr": "Appels projetés par jour avec la bande à 80 %"},
    "demand.calls_caption": {
        "en": "{mean:,.0f} calls per open day on average, of which {status:,.0f} status calls after {deflection:.0%} "
              "answered online; processing time at the end: {days:,.0f} days.",
        "fr": "{mean:,.0f} appels par jour ouvert en moyenne, dont {status:,.0f} appels d'état après {deflection:.0%} "
              "réglés en ligne; délai de traitement à la fin : {days:,.0f} jours."},
    # ------------------------------------------------------------------ Staffing page
    "staff.title": {"en": "Staffing & export", "fr": "Effectifs et export"},
    "staff.intro": {
        "en": "The agents each interval needs to meet the scenario's service standard, the shifts that cover them "
              "at the lowest paid cost, and the files to take to a manager.",
        "fr": "Les agents requis dans chaque intervalle pour atteindre la norme de service du scénario, les quarts "
              "qui les couvrent au moindre coût payé, et les fichiers à remettre à un gestionnaire."},
    "staff.scenario": {"en": "Scenario", "fr": "Scénario"},
    "staff.method": {"en": "Method", "fr": "Méthode"},
    "staff.method_help": {
        "en": "Erlang A counts hang-ups, Erlang C assumes nobody hangs up (pessimistic), simulation accounts for "
              "everything (lines, redials, automated line, callbacks) but takes longer.",
        "fr": "Erlang A tient compte des abandons, Erlang C suppose que personne ne raccroche (pessimiste), la "
              "simulation tient compte de tout (lignes, rappels, ligne automatisée) mais prend plus de temps."},
    "staff.m_erlang_a": {"en": "Erlang A (with hang-ups)", "fr": "Erlang A (avec abandons)"},
    "staff.m_erlang_c": {"en": "Erlang C (no hang-ups)", "fr": "Erlang C (sans abandons)"},
    "staff.m_simulation": {"en": "Simulation (slower)", "fr": "Simulation (plus lente)"},
    "staff.shifts": {"en": "Shift lengths", "fr": "Durées des quarts"},
    "staff.shifts_help": {"en": "Shifts of 6 hours or more include an unpaid 30-minute break.",
                          "fr": "Les quarts de 6 heures ou plus comprennent une pause non payée de 30 minutes."},
    "staff.computing": {"en": "Computing the staffing and the schedule…", "fr": "Calcul des effectifs et de l'horaire…"},
    "staff.peak_agents": {"en": "Agents at the peak", "fr": "Agents à la pointe"},
    "staff.agent_hours": {"en": "Agent-hours on the phones", "fr": "Heures-agents au téléphone"},
    "staff.paid_hours": {"en": "Paid hours", "fr": "Heures payées"},
    "staff.fte": {"en": "Full-time equivalents", "fr": "Équivalents temps plein"},
    "staff.cost": {"en": "Paid cost", "fr": "Coût payé"},
    "staff.shifts_people": {"en": "Shifts in the schedule", "fr": "Quarts à l'horaire"},
    "staff.summary_caption": {
        "en": "{method}: {met} of {open} open intervals meet {target:.0%} answered within {thr:,.0f} s. Paid time "
              "includes {shrink:.0%} off the phones. The schedule pays {paid:,.0f} hours ({eff:.0%} of them needed "
              "on the phones); {short:,.1f} agent-hours short.",
        "fr": "{method} : {met} des {open} intervalles ouverts atteignent {target:.0%} de réponses en {thr:,.0f} s. "
              "Le temps payé comprend {shrink:.0%} hors téléphone. L'horaire paie {paid:,.0f} heures ({eff:.0%} "
              "nécessaires au téléphone); {short:,.1f} heures-agents manquantes."},
    "staff.chart_title": {"en": "Agents needed per interval (open hours)",
                          "fr": "Agents requis par intervalle (heures d'ouverture)"},
    "staff.chart_caption": {
        "en": "At the peak: {rec} agents recommended; if demand is at its 50th / 80th / 95th percentile: {p50} / "
              "{p80} / {p95}; the scenario has {cur}.",
        "fr": "À la pointe : {rec} agents recommandés; si la demande est à son 50e / 80e / 95e centile : {p50} / "
              "{p80} / {p95}; le scénario en a {cur}."},
    "staff.recommended": {"en": "Recommended", "fr": "Recommandé"},
    "staff.current": {"en": "Scenario's staffing", "fr": "Effectifs du scénario"},
    "staff.p80": {"en": "P80 demand", "fr": "Demande P80"},
    "staff.p95": {"en": "P95 demand", "fr": "Demande P95"},
    "staff.methods_title": {"en": "Methods compared", "fr": "Méthodes comparées"},
    "staff.schedule_title": {"en": "Shift schedule", "fr": "Horaire des quarts"},
    "staff.schedule_caption": {"en": "{n} kinds of shift, {people} shifts worked, {paid:,.0f} paid hours ({status}).",
                               "fr": "{n} sortes de quarts, {people} quarts travaillés, {paid:,.0f} heures payées "
                                     "({status})."},
    "staff.start": {"en": "Shift start", "fr": "Début du quart"},
    "staff.end": {"en": "Shift end", "fr": "Fin du quart"},
    "staff.length_h": {"en": "Length (h)", "fr": "Durée (h)"},
    "staff.paid_h": {"en": "Paid hours per person", "fr": "Heures payées par personne"},
    "staff.breaks": {"en": "Breaks (from shift start)", "fr": "Pauses (depuis le début du quart)"},
    "staff.people": {"en": "People", "fr": "Personnes"},
    "staff.risk_title": {"en": "Risk of missing the standard", "fr": "Risque de rater la norme"},
    "staff.risk_for": {"en": "Staffing tested", "fr": "Effectifs testés"},
    "staff.risk_running": {"en": "Simulating demand scenarios…", "fr": "Simulation de scénarios de demande…"},
    "staff.risk_chart": {"en": "Chance each day misses the service standard",
                         "fr": "Probabilité que chaque jour rate la norme de service"},
    "staff.p_miss": {"en": "Chance of missing", "fr": "Probabilité de rater"},
    "staff.risk_caption": {
        "en": "{draws} demand paths drawn from the forecast bands, each simulated: the day's service level is below "
              "{target:.0%} in this share of them. Riskiest day: {worst} ({p:.0%}).",
        "fr": "{draws} trajectoires de demande tirées des bandes de prévision, chacune simulée : le niveau de "
              "service du jour est sous {target:.0%} dans cette proportion. Jour le plus risqué : {worst} ({p:.0%})."},
    "staff.downloads": {"en": "Downloads", "fr": "Téléchargements"},
    "staff.dl_excel": {"en": "Excel workbook", "fr": "Classeur Excel"},
    "staff.dl_csv": {"en": "CSV files (zip)", "fr": "Fichiers CSV (zip)"},
    "staff.dl_report": {"en": "Printable report (HTML)", "fr": "Rapport imprimable (HTML)"},
    "staff.dl_toml": {"en": "Scenario file (TOML)", "fr": "Fichier de scénario (TOML)"},
    "staff.dl_json": {"en": "Scenario file (JSON)", "fr": "Fichier de scénario (JSON)"},
    "staff.downloads_caption": {
        "en": "Excel, CSV and the report hold the recommended staffing, the schedule and every assumption; the "
              "scenario file can be opened again on the Scenarios page.",
        "fr": "Excel, CSV et le rapport contiennent les effectifs recommandés, l'horaire et toutes les hypothèses; "
              "le fichier de scénario peut être rouvert à la page Scénarios."},
}


def lang() -> str:
    """The language chosen in the sidebar ("en" or "fr")."""
    code = st.session_state.get("lang", "en")
    return code if code in LANGUAGES else "en"


def t(key: str) -> str:
    """The text of ``key`` in the current language (KeyError for an unknown key: a bug to fix here)."""
    return TEXT[key][lang()]
