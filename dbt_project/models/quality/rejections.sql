with

rejected_rows as (

    select * from {{ source('ingest', 'rejected_rows') }}

),

final as (

    -- Counts only: the rejected rows' raw values stay in the private build database.
    select
        unit_code,
        file,
        rule,
        count(*) as rows_rejected,
        any_value(message) as message
    from rejected_rows
    group by unit_code, file, rule

)

select * from final
